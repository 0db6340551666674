"""The checklist's jumps into the Timeline and Overview panes, and the
Overview fields a check may point at (shared, prevention)."""

from __future__ import annotations

from datetime import UTC, datetime

from pmtui import checks
from pmtui.model import TimelineEvent
from pmtui.ui.panes.overview import OverviewPane
from pmtui.ui.panes.report import ReportPane
from pmtui.ui.panes.timeline import TimelinePane


def result_for(pm, cid: str, section: str) -> checks.CheckResult:
    return next(r for r in checks.run(pm) if r.id == cid and r.section == section and r.result != checks.PASS)


async def test_blame_in_a_timeline_row_jumps_to_that_row(demo_pm, open_app, settle):
    pm = demo_pm()
    when = pm.timeline[2].time
    pm.timeline.insert(3, TimelineEvent(when, "Operator error: @dan forgot to scale the pool", "chat"))
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        result = result_for(app.session.pm, "language.blameless", "timeline")
        assert await app.query_one(ReportPane).show_check(result)
        await settle(pilot)
        pane = app.active_pane
        assert isinstance(pane, TimelinePane)
        assert pane.current is app.session.pm.timeline[result.row]
        assert "forgot" in pane.current.event
        assert pane.table.has_focus


async def test_jump_clears_a_filter_that_hides_the_row(demo_pm, open_app, settle):
    pm = demo_pm()
    pm.timeline.append(TimelineEvent(pm.timeline[-1].time, "Human error in the deploy", "chat"))
    app = open_app(pm, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.active_pane
        await pilot.press("slash", *"alert", "enter")
        await settle(pilot)
        assert pane.filter_text == "alert"
        row = len(app.session.pm.timeline) - 1
        assert pane.show_location("timeline", row)
        await settle(pilot)
        assert pane.filter_text == ""
        assert pane.current is app.session.pm.timeline[row]


async def test_summary_and_sharing_checks_focus_their_overview_fields(demo_pm, open_app, settle):
    pm = demo_pm()
    pm.summary = "The on-call engineer's fault: careless config push."
    app = open_app(pm, "report")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        result = result_for(app.session.pm, "language.blameless", "summary")
        assert await app.query_one(ReportPane).show_check(result)
        await settle(pilot)
        assert isinstance(app.active_pane, OverviewPane)
        assert app.focused is not None and app.focused.id == "ov-summary"


async def test_shared_and_prevention_are_edited_in_the_overview(demo_pm, open_app, settle, saved):
    pm = demo_pm()
    pm.shared = None
    pm.prevention = ""
    app = open_app(pm, "overview")
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        pane = app.active_pane
        shared = pane.editor("shared")
        shared.value = "not a time"
        shared.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.pm.shared is None
        assert shared.value == "not a time"  # kept, explained in place
        shared.value = "2025-02-10 09:00"
        shared.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.pm.shared == datetime(2025, 2, 10, 9, 0, tzinfo=UTC)
        area = pane.editor("prevention")
        area.text = "See action items AI-001 to AI-006."
        area.focus()
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.pm.prevention == "See action items AI-001 to AI-006."
        await pilot.press("ctrl+s")
        on_disk = saved(app)
        assert on_disk.shared == datetime(2025, 2, 10, 9, 0, tzinfo=UTC)
        assert on_disk.prevention == "See action items AI-001 to AI-006."
