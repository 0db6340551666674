"""The Actions pane driven key by key inside the real app."""

from __future__ import annotations

from datetime import date

import pytest

from pmtui.ui.panes.actions import ActionsPane, ActionsTable, row_problems


def table(app) -> ActionsTable:
    return app.query_one(ActionsTable)


async def test_bindings_all_have_ids_and_show_in_footer():
    for binding in ActionsPane.BINDINGS:
        assert binding.id and binding.id.startswith("actions.") and binding.description and binding.show


async def test_add_assigns_next_id_and_parses_relative_deadlines(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await fill(pilot, {"action": "Alert when pool usage exceeds 80% for 5 minutes", "owner": "@dan",
                           "deadline": "in a while", "priority": "high"})
        assert "not a date" in str(app.screen.query_one("#error-deadline").render())
        assert len(pm.actions) == 3  # nothing added while the form is refused
        await fill(pilot, {"deadline": "+2w"})
        item = pm.actions[1]  # added after the cursor row
        assert (item.id, item.owner, item.deadline, item.priority, item.type, item.status) == (
            "AI-004", "@dan", date(2025, 2, 24), "high", "prevent", "open")
        assert table(app).cursor_value is item
        await pilot.press("e")
        await fill(pilot, {"deadline": "next friday", "type": "mitigate", "status": "in progress",
                           "factor": "F3", "tracker": "https://github.com/acme/api/issues/7"})
        assert (item.deadline, item.type, item.status, item.factor, item.tracker) == (
            date(2025, 2, 14), "mitigate", "in progress", "F3", "https://github.com/acme/api/issues/7")
        await pilot.press("ctrl+z")
        assert item.deadline == date(2025, 2, 24) and item.factor == ""
        await pilot.press("ctrl+y")
        assert item.factor == "F3"


async def test_edit_offers_only_known_factors_and_refuses_a_bad_link(demo_pm, fill, open_app):
    from textual.widgets import Select

    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # enter on a row edits it too
        factor = app.screen.query_one("#field-factor", Select)
        # A pick-list of the factors there are: no id can be mistyped.
        assert [value for _label, value in factor._options] == ["", "F1", "F2", "F3"]
        assert factor.value == "F1"
        await fill(pilot, {"tracker": "javascript:alert(1)"})
        assert "not a link" in str(app.screen.query_one("#error-tracker").render())
        await pilot.press("escape")
        assert pm.actions[0].factor == "F1" and pm.actions[0].tracker == ""


async def test_delete_and_undo(demo_pm, open_app):
    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "x")
        assert [a.id for a in pm.actions] == ["AI-001", "AI-003"]
        await pilot.press("ctrl+z")
        assert [a.id for a in pm.actions] == ["AI-001", "AI-002", "AI-003"]
        # a new item never reuses a deleted id still in the file
        assert pm.next_action_id() == "AI-004"


async def test_sort_by_priority_and_by_deadline(demo_pm, open_app):
    pm = demo_pm()
    pm.actions[0].priority = "low"
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("O")
        # medium, low, then the item with no priority
        assert [a.id for a in pm.actions] == ["AI-003", "AI-001", "AI-002"]
        await pilot.press("O")
        # 2025-02-07, 2025-03-01, then no deadline
        assert [a.id for a in pm.actions] == ["AI-001", "AI-003", "AI-002"]
        await pilot.press("ctrl+z")
        assert [a.id for a in pm.actions] == ["AI-003", "AI-001", "AI-002"]
        await pilot.press("ctrl+z")
        assert [a.id for a in pm.actions] == ["AI-001", "AI-002", "AI-003"]


async def test_overdue_and_live_checks_beside_rows(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(160, 40)) as pilot:
        pane = app.query_one(ActionsPane)
        # the app's clock says 2025-02-10: AI-001 (due 02-07) is overdue, AI-003 (03-01) is not
        assert pane.today() == date(2025, 2, 10)
        assert pane._row_style(pm.actions[0]) == "actions--overdue"
        assert pane._row_style(pm.actions[2]) is None
        await pilot.pause()
        checks_col = [c.key for c in table(app).columns].index("checks")
        labels = [c.get(pm.actions[1]) for c in table(app).columns]
        assert labels[checks_col].startswith("\u26a0 vague")
        assert "no owner/deadline/priority" in labels[checks_col]
        assert [c.get(pm.actions[0]) for c in table(app).columns][checks_col] == "\u2713"
        await pilot.press("down")
        detail = str(app.query_one("#actions-detail").render())
        assert "Name the metric, where it shows" in detail  # the rewrite hint
        # fixing the row clears its checks live
        await pilot.press("e")
        await fill(pilot, {"action": "Add pool saturation alert at 80% for 5 min to the DB dashboard",
                           "owner": "@bob", "deadline": "2025-02-20", "priority": "medium"})
        assert row_problems(pm.actions[1]) == []
        assert [c.get(pm.actions[1]) for c in table(app).columns][checks_col] == "\u2713"
        assert "\u2713 specific" in str(app.query_one("#actions-detail").render())


async def test_blame_in_action_text_is_marked(demo_pm, open_app):
    pm = demo_pm()
    pm.actions[0].action = "Stop the on-call engineer who forgot to check the pool"
    app = open_app(pm, "actions")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert any(label.startswith("blame") for label, _ in row_problems(pm.actions[0]))
        t = table(app)
        blame = t.get_component_rich_style("blame-table--blame", partial=True)
        strip = t.render_line(1)
        marked = "".join(seg.text for seg in strip
                         if seg.style and seg.style.underline and seg.style.bgcolor == blame.bgcolor)
        assert "forgot to" in marked


async def test_actions_saved_to_the_file(tmp_path, demo_pm, fill, open_app, settle):
    store = pytest.importorskip("pmtui.store")
    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await fill(pilot, {"action": "Add a runbook page for DB connection saturation", "owner": "@alice",
                           "deadline": "+3d", "priority": "medium"})
        await pilot.press("O", "ctrl+s")
        await settle(pilot)
    saved = store.load(tmp_path / "incident.toml").pm
    # high first; the two medium ones by deadline; the unprioritised last
    assert [a.id for a in saved.actions] == ["AI-001", "AI-004", "AI-003", "AI-002"]
    new = saved.actions[1]
    assert (new.owner, new.deadline, new.priority) == ("@alice", date(2025, 2, 13), "medium")
