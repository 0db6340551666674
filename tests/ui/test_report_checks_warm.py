"""The checklist is run once while the app is idle after the file is open
(PmApp._warm_checks), so the Report pane's first showing lays itself out
without a checks thread taking half the interpreter from its frames, and
shows the checklist at once."""

from __future__ import annotations

import threading
import time

from pmtui.team import policy
from pmtui.ui.panes.report import ChecklistView, ReportPane


async def test_the_report_shows_the_warmed_checklist_without_running_it_again(
        demo_pm, open_app, settle, fixed_now, until):
    pm = demo_pm()
    pm.timeline[2].event = "@alice caused the outage by restarting the pool"
    app = open_app(pm, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app._shared_checks is not None and app._shared_checks.last is not None,
                    "the checklist warmed after opening", timeout=20)
        await settle(pilot)
        ran = app._shared_checks.last
        assert ran.revision == app.session.revision
        await pilot.press("6")
        pane = app.panes["report"]
        assert isinstance(pane, ReportPane)
        # On screen with the pane's first frame: no thread started for it.
        assert pane.checks_revision == ran.revision
        assert pane.results == policy.run(app.session.pm, now=fixed_now())
        assert app.query_one(ChecklistView).option_count == len(pane.results)
        await settle(pilot)
        await pilot.pause(0.3)
        assert app._shared_checks.last is ran  # not run again
        # An edit runs it again, for the new revision.
        timeline = app.panes["timeline"]
        timeline.update_event(app.session.pm.timeline[3], {"event": "Operator forgot to drain the node"})
        await until(pilot, lambda: pane.checks_revision == app.session.revision > ran.revision,
                    "the checklist run after an edit")
        assert app._shared_checks.last.revision == app.session.revision
        assert any("forgot to" in r.message for r in pane.results)


async def test_a_report_shown_before_the_warm_up_runs_its_checklist_after_its_first_frames(
        demo_pm, open_app, settle, fixed_now, until, monkeypatch):
    from pmtui.ui import app as app_module
    from pmtui.ui.panes import report as report_module

    # The pane comes first, whatever the machine's speed; and its own run
    # held back, to see that mounting started none.
    monkeypatch.setattr(app_module, "WARM_CHECKS_AFTER", 600.0)
    monkeypatch.setattr(report_module, "CHECKS_AFTER_MOUNT", 600.0)
    app = open_app(demo_pm(), "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.guard is not None, "the file open")
        await pilot.press("6")
        await settle(pilot)
        pane = app.panes["report"]
        assert pane.checks_revision == -1 and not pane._checks_running  # nothing started with the layout
        assert pane.preview_revision == app.session.revision  # the preview is shown


async def test_a_report_shown_before_the_warm_up_shows_its_checklist(demo_pm, open_app, fixed_now, until,
                                                                      monkeypatch):
    from pmtui.ui import app as app_module

    monkeypatch.setattr(app_module, "WARM_CHECKS_AFTER", 600.0)
    app = open_app(demo_pm(), "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.guard is not None, "the file open")
        await pilot.press("6")
        pane = app.panes["report"]
        await until(pilot, lambda: pane.checks_revision == app.session.revision, "the checklist shown")
        assert pane.results == policy.run(app.session.pm, now=fixed_now())


async def test_the_warm_up_waits_while_keys_come(demo_pm, open_app, until):
    app = open_app(demo_pm(), "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.guard is not None, "the file open")
        await pilot.press("down")
        done = threading.Event()
        started = time.monotonic()
        threading.Thread(target=lambda: (app._wait_for_quiet(), done.set()), daemon=True).start()
        assert not done.wait(0.1)  # a key just came: it waits
        await until(pilot, done.is_set, "the wait over once no key came")
        assert time.monotonic() - started >= 0.1
