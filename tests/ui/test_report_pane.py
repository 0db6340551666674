"""The Report pane: live preview, checklist and its jumps, write and copy."""

from __future__ import annotations

from datetime import timedelta

from pmtui import checks, report
from pmtui.model import TimelineEvent
from pmtui.team import policy, templates
from pmtui.team.config import TeamConfig
from pmtui.ui.panes.actions import ActionsTable
from pmtui.ui.panes.analysis import AnalysisPane, ItemsList
from pmtui.ui.panes.report import ChecklistView, ReportPane, ReportTimelineTable, SectionView, report_path


def pane_of(app) -> ReportPane:
    return app.query_one(ReportPane)


def section(app, key: str) -> SectionView:
    return app.query_one(f"#report-section-{key}", SectionView)


async def test_bindings_all_have_ids_and_show_in_footer():
    for binding in ReportPane.BINDINGS:
        assert binding.id and binding.id.startswith("report.") and binding.description and binding.show


async def test_preview_follows_edits_one_section_at_a_time(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        # every section rendered from the report module, none missing
        # The team's template (the procedure's here): its sections in its order.
        assert [v.key for v in app.query(SectionView)] == [s.key for s in templates.template_for(TeamConfig()).sections]
        assert section(app, "summary").source == report.render_section(pm, "summary")[2]
        before = pane.sections_rendered
        app.session.set("overview", "summary", pm, "summary", "Checkout failed for 40% of requests.")
        await settle(pilot)
        assert "Checkout failed for 40% of requests." in section(app, "summary").source
        assert pane.preview_revision == app.session.revision
        # only the summary changed, so only it was redrawn
        assert pane.sections_rendered == before + 1
        # the analysis area reaches the lists
        app.session.apply("analysis", "lesson", lambda: pm.lessons.append("Pool sizing follows traffic"),
                          lambda: pm.lessons.pop())
        await settle(pilot)
        assert "Pool sizing follows traffic" in section(app, "lessons").source
        app.session.undo()
        await settle(pilot)
        assert "Pool sizing follows traffic" not in section(app, "lessons").source


async def test_timeline_section_is_a_virtual_table_that_follows_edits(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(ReportTimelineTable)
        assert len(table.rows) == 5
        early = TimelineEvent(pm.times.started - timedelta(minutes=1), "Deploy of v2.3.0 finished", "CI", "", "action")
        app.session.insert("timeline", "add", pm.timeline, len(pm.timeline), early)
        await settle(pilot)
        # sorted for the report even though it was appended
        assert table.rows[0] is early and len(table.rows) == 6
        line = "".join(seg.text for seg in table.render_line(1))
        assert "10:04:23" in line and "Deploy of v2.3.0" in line


async def test_write_puts_the_whole_report_beside_the_file(tmp_path, demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        target = tmp_path / "incident.md"
        assert report_path(tmp_path / "incident.toml") == target
        assert target.read_text(encoding="utf-8") == report.render(pm)
        # a later edit and w again: the file follows, no temporary files left
        app.session.set("overview", "title", pm, "title", "Checkout degradation")
        await pilot.press("w")
        await settle(pilot)
        assert "# Post-Mortem: Checkout degradation" in target.read_text(encoding="utf-8")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".incident.md")) == []


async def test_copy_sends_the_whole_report_to_the_clipboard(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == report.render(pm)


async def test_checklist_live_and_jumps_to_the_row(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        assert [r.id for r in pane.results] == [r.id for r in policy.run(pm, now=app.now())]
        listing = app.query_one(ChecklistView)
        assert listing.option_count == len(pane.results)
        await pilot.press("tab")
        assert listing.has_focus
        # n walks the problems; the first is AI-002's missing owner/deadline/priority
        await pilot.press("n")
        problem = pane.selected_check()
        assert problem.result == checks.FAIL and problem.row == "AI-002"
        await pilot.press("o")
        await settle(pilot)
        assert app.active_pane is app.query_one("#pane-actions")
        assert app.query_one(ActionsTable).cursor_value is pm.actions[1]
        # back to the report; enter on the blame finding opens went_wrong in Analysis
        await pilot.press("6")
        await settle(pilot)
        index = next(i for i, r in enumerate(pane.results) if r.id == "language.blameless" and r.result == checks.FAIL)
        listing.focus()
        listing.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        analysis = app.query_one(AnalysisPane)
        assert app.active_pane is analysis
        assert analysis.current_list.key == "went_wrong" and app.query_one(ItemsList).has_focus
        # fixing it there turns the check green in the report
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-text").value = "The pool size was never revisited after launch"
        await pilot.press("enter")
        await settle(pilot)
        assert not any(r.id == "language.blameless" and r.result == checks.FAIL for r in pane.results)


async def test_blame_language_highlighted_in_the_preview(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = pane_of(app)
        blame = pane.get_component_rich_style("report--blame", partial=True)
        view = section(app, "went_wrong")
        marked = "".join(
            seg.text for y in range(view.size.height) for seg in view.render_line(y)
            if seg.style is not None and seg.style.bgcolor == blame.bgcolor and seg.style.underline
        )
        assert marked == "forgot to"
        assert "The operator forgot to check the pool size" in view.plain()


async def test_outside_text_is_never_markup_or_escape_sequences(demo_pm, open_app, settle):
    pm = demo_pm()
    pm.summary = "[bold]not markup[/bold] and \x1b]0;title\x07 and *stars* | pipes"
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        plain = section(app, "summary").plain()
        assert "[bold]not markup[/bold]" in plain
        assert "*stars* | pipes" in plain  # escapes undone for display
        assert "\x1b" not in plain and "\x07" not in plain


def test_live_checks_match_checks_run_and_rescan_only_changed_text(demo_pm, fixed_now):
    from pmtui.livechecks import LiveChecks

    now = fixed_now()
    pm = demo_pm()
    pm.summary = "The deploy failed; human error."
    pm.timeline[2].event = "@alice caused the outage by restarting the pool"
    pm.timeline[3].event = "Operator forgot to drain the node"
    pm.whys[0].text = "Someone should have checked"
    live = LiveChecks()
    assert live.run(pm, now) == policy.run(pm, now=now)
    scanned = dict(live._spans)
    pm.timeline[3].event = "Node drained by hand"
    assert live.run(pm, now) == policy.run(pm, now=now)
    assert set(live._spans) - set(scanned) == {"Node drained by hand"}
    clean = demo_pm()
    clean.went_wrong = []
    assert live.run(clean, now) == policy.run(clean, now=now)
