"""Undo and redo on a big timeline: the cursor's row, the detail panel and
the key count shown are the document's, however the frame was drawn (the
table's line caches, the key count made in steps after the frame)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pmtui.sample import large_postmortem
from pmtui.ui.panes import timeline as timeline_pane
from pmtui.ui.panes.timeline import TimelinePane
from pmtui.ui.widgets.detail import DetailPanel

EVENTS = 50_000  # over KEY_COUNT_AFTER: the count is made after the frame, in steps


def pane(app) -> TimelinePane:
    return app.panes["timeline"]


def status(app) -> str:
    return pane(app).query_one("#timeline-status").text


def keys_in(app) -> int:
    return sum(e.key for e in app.session.pm.timeline)


async def test_undo_redo_far_jump_shows_the_row_its_detail_and_the_key_count(make_app, screen_text, until):
    assert EVENTS >= timeline_pane.KEY_COUNT_AFTER and EVENTS > 2 * timeline_pane.KEY_COUNT_STEP
    app = make_app(large_postmortem(EVENTS), first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = pane(app).table
        table.move_cursor(EVENTS // 2)
        await pilot.pause()
        row = table.cursor_value
        assert not row.key
        await pilot.press("asterisk")  # a key moment: the count changes
        await until(pilot, lambda: f"{keys_in(app)} key moment" in status(app), "the count after marking")
        marked = keys_in(app)
        pane(app).update_event(row, {"time": row.time + timedelta(hours=2)})  # far away in the timeline
        await pilot.pause()
        moved_to = table.cursor_row
        assert table.cursor_value is row and abs(moved_to - EVENTS // 2) > 1000
        for key, where, count in (("ctrl+z", None, marked), ("ctrl+z", None, marked - 1),
                                  ("ctrl+y", None, marked), ("ctrl+y", moved_to, marked)):
            await pilot.press(key)
            await until(pilot, lambda count=count: f" {count} key moment" in status(app), f"{count} after {key}")
            assert table.cursor_value is row
            if where is not None:
                assert table.cursor_row == where
            assert f"Event {row.event.split(':')[0].split()[-1]}:" in screen_text(app)
            assert row.event.split(":")[0] in str(pane(app).query_one(DetailPanel)._text)
            assert keys_in(app) == count


async def test_key_count_in_steps_starts_over_when_the_timeline_changes_meanwhile(make_app, until):
    app = make_app(large_postmortem(EVENTS), first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        p = pane(app)
        table = p.table
        before = keys_in(app)
        rows = [r for r in app.session.pm.timeline if not r.key][:3]
        # Three marks typed in one burst: each edit's count is cut short by the next.
        for r in rows:
            table.move_cursor(app.session.pm.timeline.index(r))
            p.action_toggle_key()
        await until(pilot, lambda: f" {before + 3} key moments" in status(app), "the count after three marks")
        assert p._keys == (EVENTS, before + 3)


async def test_an_edit_during_the_journals_render_in_steps_is_painted_before_the_next_step(make_app):
    """A render in steps that an edit interrupts starts again only after the
    edit's frame: its next step (up to 3 ms) must not delay that paint."""
    app = make_app(large_postmortem(EVENTS), first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        log: list[str] = []
        display = app._display

        def logged_display(screen, update):
            log.append("frame")
            return display(screen, update)

        app._display = logged_display
        document = app.document
        render_steps = document.render_steps

        def logged_steps(**kwargs):
            for step in render_steps(**kwargs):
                log.append("step")
                yield step

        document.render_steps = logged_steps
        job = asyncio.create_task(app.render_in_steps())
        while log.count("step") < 2:
            await asyncio.sleep(0)
        row = pane(app).table.cursor_value
        pane(app).update_event(row, {"event": "changed while the journal renders"})
        log.append("edit")
        await job
        after = log[log.index("edit") + 1:]
        assert "step" in after  # it started again
        assert after.index("frame") < after.index("step")


async def test_the_collector_waits_for_an_undos_and_a_redos_frames(make_app, settle):
    import gc

    from pmtui.ui.app import COLLECTOR_HOLD

    assert gc.isenabled()
    app = make_app(large_postmortem(200), first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        row = pane(app).table.cursor_value
        pane(app).update_event(row, {"event": "changed"})
        await settle(pilot)
        for _ in range(int(COLLECTOR_HOLD * 25 / 0.05)):
            if gc.isenabled():
                break
            await pilot.pause(0.05)
        assert gc.isenabled()
        for key in ("ctrl+z", "ctrl+y"):
            await pilot.press(key)
            assert not gc.isenabled(), key
            for _ in range(int(COLLECTOR_HOLD * 25 / 0.05)):
                if gc.isenabled():
                    break
                await pilot.pause(0.05)
            assert gc.isenabled(), key
        assert row.event == "changed"
    assert gc.isenabled()


async def test_the_journals_render_in_steps_waits_while_a_key_is_handled(make_app):
    """No step of a render in steps starts while a key is being handled or
    waits its turn: the key's frame comes first (a step per turn of the loop
    beside the key's own turns put redo's frame at 19-22 ms at 100,000)."""
    from textual import events

    app = make_app(large_postmortem(EVENTS), first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        document = app.document
        render_steps = document.render_steps
        busy: list[bool] = []

        def watched_steps(**kwargs):
            inner = render_steps(**kwargs)
            while True:
                busy.append(app.key_in_flight is not None or app.keys_waiting())
                try:
                    next(inner)
                except StopIteration as done:
                    return done.value
                yield

        document.render_steps = watched_steps
        start = pane(app).table.cursor_row
        job = asyncio.create_task(app.render_in_steps())
        sent = 0
        while not job.done():
            app.post_message(events.Key("down", None))
            sent += 1
            await asyncio.sleep(0.004)
        await job
        while app.key_in_flight is not None or app.keys_waiting():
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert sent >= 3 and len(busy) >= 3
        assert pane(app).table.cursor_row == start + sent
        assert not any(busy)


async def test_the_collector_waits_while_the_filter_is_typed(make_app, settle):
    """Each filter keystroke holds the collector until its frame is drawn
    and the typing has paused (a gen-0 pass of 10-14 ms landed in one
    keystroke's frame in one run of three at 100,000 rows)."""
    import gc

    from pmtui.ui.app import COLLECTOR_HOLD

    async def released(pilot) -> bool:
        for _ in range(int(COLLECTOR_HOLD * 25 / 0.05)):
            if gc.isenabled():
                break
            await pilot.pause(0.05)
        return gc.isenabled()

    app = make_app(large_postmortem(200), first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert await released(pilot)  # the app's own start and the pane's first showing
        for key in "api":
            await pilot.press(key)
            assert not gc.isenabled(), key
        assert await released(pilot)
        assert pane(app).filter_text == "api"
    assert gc.isenabled()
