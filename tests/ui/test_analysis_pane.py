"""The Analysis pane driven key by key inside the real app."""

from __future__ import annotations

from pmtui.ui.panes.analysis import AnalysisPane, ItemsList, WhysTree


def pane_of(app) -> AnalysisPane:
    return app.query_one(AnalysisPane)


async def to_why(pilot, why_id: str) -> None:
    """Move the tree cursor to `why_id` with the arrow keys."""
    tree = pilot.app.query_one(WhysTree)
    tree.focus()
    tree.move_cursor_to_line(0)
    for _ in range(20):
        if tree.cursor_node is not None and tree.cursor_node.data == why_id:
            return
        await pilot.press("down")
    raise AssertionError(f"{why_id} not reachable in the tree")


def label_of(app, why_id: str) -> str:
    tree = app.query_one(WhysTree)
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if node.data == why_id:
            return str(node.label)
        stack.extend(node.children)
    raise AssertionError(why_id)


async def test_bindings_all_have_ids_and_show_in_footer():
    for binding in AnalysisPane.BINDINGS:
        assert binding.id and binding.id.startswith("analysis.") and binding.description and binding.show


async def test_add_why_under_cursor_then_undo(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W5")
        await pilot.press("a")
        await fill(pilot, {"text": "Query plan review was never part of the release checklist"})
        assert [w.id for w in pm.whys][-1] == "W7"
        assert pm.whys[-1].parent == "W5"
        assert pm.why_depth("W7") == 6
        assert label_of(app, "W7").startswith("6 W7")
        # the cursor follows the new node
        assert app.query_one(WhysTree).cursor_node.data == "W7"
        await pilot.press("ctrl+z")
        assert "W7" not in {w.id for w in pm.whys}


async def test_add_sibling_and_short_chain_marks(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        # W6 stops at depth 2: marked; W5 reaches five: not marked.
        assert "\u26a02/5" in label_of(app, "W6")
        assert "\u26a0" not in label_of(app, "W5")
        await to_why(pilot, "W6")
        await pilot.press("b")
        await fill(pilot, {"text": "Traffic forecasts are not reviewed with the DB team"})
        new = next(w for w in pm.whys if w.id == "W7")
        assert new.parent == "W1"
        assert pm.whys.index(new) == pm.whys.index(next(w for w in pm.whys if w.id == "W6")) + 1
        assert "\u26a02/5" in label_of(app, "W7")


async def test_edit_why_refuses_empty_text_in_place(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W2")
        await pilot.press("e")
        await fill(pilot, {"text": "   "})
        # still in the form, the message shown, nothing changed
        error = app.screen.query_one("#error-text")
        assert "cannot be empty" in str(error.render())
        assert pm.whys[1].text == "Each request held a connection for seconds"
        await fill(pilot, {"text": "Requests held connections for whole seconds"})
        assert pm.whys[1].text == "Requests held connections for whole seconds"
        await pilot.press("ctrl+z")
        assert pm.whys[1].text == "Each request held a connection for seconds"
        await pilot.press("ctrl+y")
        assert pm.whys[1].text == "Requests held connections for whole seconds"


async def test_delete_subtree_unlinks_factors_and_undo_restores(demo_pm, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W3")
        await pilot.press("x")
        assert [w.id for w in pm.whys] == ["W1", "W2", "W6"]
        assert pm.factors[1].why == ""  # F2 was linked to W3
        await pilot.press("ctrl+z")
        assert [w.id for w in pm.whys] == ["W1", "W2", "W3", "W4", "W5", "W6"]
        assert pm.factors[1].why == "W3"
        # the problem (root) cannot be deleted
        app.query_one(WhysTree).move_cursor_to_line(0)
        await pilot.press("x")
        assert len(pm.whys) == 6


async def test_move_among_siblings(demo_pm, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W6")
        await pilot.press("shift+up")
        assert [w.id for w in pm.why_children("W1")] == ["W6", "W2"]
        assert app.query_one(WhysTree).cursor_node.data == "W6"
        await pilot.press("shift+down")
        assert [w.id for w in pm.why_children("W1")] == ["W2", "W6"]
        await pilot.press("shift+up", "ctrl+z")
        assert [w.id for w in pm.why_children("W1")] == ["W2", "W6"]


async def test_move_to_another_parent(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W2")
        await pilot.press("m")
        # its own descendant is refused, with the reason in place
        await fill(pilot, {"parent": "W4"})
        assert "below it" in str(app.screen.query_one("#error-parent").render())
        await fill(pilot, {"parent": "problem"})
        assert next(w for w in pm.whys if w.id == "W2").parent == ""
        await pilot.press("ctrl+z")
        await to_why(pilot, "W6")
        await pilot.press("m")
        await fill(pilot, {"parent": "W5"})
        assert next(w for w in pm.whys if w.id == "W6").parent == "W5"
        assert label_of(app, "W6").startswith("6 W6")


async def test_problem_immediate_cause_and_reason(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await fill(pilot, {"problem": "Checkout API failed 40% of requests"})
        assert pm.problem == "Checkout API failed 40% of requests"
        assert "Checkout API failed" in str(app.query_one(WhysTree).root.label)
        await pilot.press("i")
        await fill(pilot, {"cause": "Pool exhausted\nMissing index"}, submit="ctrl+s")
        assert pm.immediate_cause == "Pool exhausted\nMissing index"
        await pilot.press("r")
        await fill(pilot, {"reason": "The vendor's driver internals are not visible to us"})
        assert pm.shallow_reason == "The vendor's driver internals are not visible to us"
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")
        assert pm.problem == "API returned 5xx for 40% of requests"


async def test_factor_add_edit_delete_with_links(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")
        assert app.query_one(ItemsList).has_focus
        await pilot.press("a")
        from textual.widgets import Select

        # Category and why link are pick-lists: a typo can make neither a
        # new category nor a link to a why that does not exist.
        category = app.screen.query_one("#field-category", Select)
        assert "monitoring" in [v for _l, v in category._options] and "vendor" not in [v for _l, v in category._options]
        why = app.screen.query_one("#field-why", Select)
        assert [v for _l, v in why._options] == ["", *[w.id for w in pm.whys]]
        await fill(pilot, {"category": "process", "text": "Driver pool defaults undocumented", "why": "W4"})
        factor = pm.factors[1]  # added after the highlighted factor
        assert (factor.id, factor.category, factor.text, factor.why) == (
            "F4", "process", "Driver pool defaults undocumented", "W4")
        # edit the first factor: it keeps its id
        await pilot.press("home", "e")
        await fill(pilot, {"category": "", "text": "Pool utilisation had no dashboard"})
        assert (pm.factors[0].id, pm.factors[0].category, pm.factors[0].text) == (
            "F1", "other", "Pool utilisation had no dashboard")
        # deleting F1 unlinks the action items addressing it; undo relinks
        await pilot.press("x")
        assert [f.id for f in pm.factors] == ["F4", "F2", "F3"]
        assert pm.actions[0].factor == ""
        await pilot.press("ctrl+z")
        assert pm.factors[0].id == "F1" and pm.actions[0].factor == "F1"


async def test_lists_cycle_add_edit_move_delete(demo_pm, fill, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = pane_of(app)
        await pilot.press("right_square_bracket")
        assert pane.current_list.key == "systemic_issues"
        await pilot.press(*["right_square_bracket"] * 4)
        assert pane.current_list.key == "lessons"
        await pilot.press("a")
        await fill(pilot, {"text": "Pool sizing must follow traffic growth"})
        assert pm.lessons == [
            "Database monitoring needs connection-level metrics", "Pool sizing must follow traffic growth"]
        await pilot.press("shift+up")
        assert pm.lessons[0] == "Pool sizing must follow traffic growth"
        await pilot.press("e")
        await fill(pilot, {"text": "Pool sizing must track traffic growth"})
        assert pm.lessons[0] == "Pool sizing must track traffic growth"
        await pilot.press("x")
        assert pm.lessons == ["Database monitoring needs connection-level metrics"]
        await pilot.press("left_square_bracket")
        assert pane.current_list.key == "lucky"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert pane.current_list.key == "went_well"
        await pilot.press("a")
        await fill(pilot, {"text": "Rollback took two minutes"})
        assert pm.went_well[-1] == "Rollback took two minutes"
        # undo: the went-well item, the delete, the edit
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")
        assert pm.went_well == ["Alert fired within 90 seconds of first errors"]
        assert pm.lessons == [
            "Pool sizing must follow traffic growth", "Database monitoring needs connection-level metrics"]


async def test_fishbone_toggle_shows_factors_by_category(demo_pm, open_app):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        diagram = str(app.query_one("#analysis-fishbone").render())
        assert "MONITORING (1)" in diagram and "TESTING (1)" in diagram and "RUNBOOK (1)" in diagram
        assert not app.query_one(ItemsList).display
        await pilot.press("f")
        assert app.query_one(ItemsList).display
        assert not app.query_one("#analysis-fishbone-box").display


async def test_blame_language_marked_in_lists_and_tree(demo_pm, open_app):
    pm = demo_pm()
    pm.whys[0].text = "The operator forgot to raise the pool size"
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)):
        pane = pane_of(app)
        blame = pane.get_component_rich_style("analysis--blame", partial=True)
        label = app.query_one(WhysTree).root.children[0].label
        marked = [label.plain[s.start : s.end] for s in label.spans if s.style == blame]
        assert marked == ["forgot to"]
        prompt = pane._item_prompt(pm.went_wrong[0])
        assert [prompt.plain[s.start : s.end] for s in prompt.spans if s.style == blame] == ["forgot to"]


async def test_hostile_text_shown_as_plain_text(demo_pm, open_app):
    pm = demo_pm()
    pm.factors[0].text = "[bold red]not markup[/] \x1b]52;c;ZXZpbA==\x07"
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")
        prompt = pane_of(app)._item_prompt(pm.factors[0])
        assert "[bold red]not markup[/]" in prompt.plain
        assert "\x1b" not in prompt.plain and "\x07" not in prompt.plain


async def test_edits_saved_to_the_file(tmp_path, demo_pm, fill, open_app, settle):
    import pytest

    store = pytest.importorskip("pmtui.store")
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(120, 40)) as pilot:
        await to_why(pilot, "W6")
        await pilot.press("a")
        await fill(pilot, {"text": "Capacity reviews skip the database tier"})
        await pilot.press("tab", "a")
        await fill(pilot, {"category": "capacity", "text": "Pool size unchanged since launch", "why": "W7"})
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = store.load(tmp_path / "incident.toml").pm
    assert saved.whys[-1].text == "Capacity reviews skip the database tier" and saved.whys[-1].parent == "W6"
    assert [(f.category, f.why) for f in saved.factors if f.id == "F4"] == [("capacity", "W7")]
