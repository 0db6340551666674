"""Timeline pane: every key, checked on the model, the screen and the saved file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pmtui.model import TimelineEvent
from pmtui.sample import large_postmortem, sample_postmortem
from pmtui.ui.panes.timeline import TimelinePane
from pmtui.ui.screens.form import FormScreen


def t(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


def pane(app) -> TimelinePane:
    return app.panes["timeline"]


async def test_rows_are_chronological_and_show_every_column(make_app, saved, screen_text):
    pm = sample_postmortem()
    pm.timeline.reverse()  # as a hand-edited file might have it
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        times = [e.time for e in app.session.pm.timeline]
        assert times == sorted(times)
        assert app.session.dirty  # the sort is an edit, saved with ctrl+s
        text = screen_text(app)
        for heading in ("UTC", "Event", "Source", "Actor", "Kind"):
            assert heading in text.splitlines()[3]
        assert "10:05:23 First 5xx errors appear" in text
        await pilot.press("ctrl+s")
        assert [e.time for e in saved(app).timeline] == sorted(times)


async def test_add_event_after_cursor_with_time_prefilled(make_app, saved):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")  # 10:08:12 On-call engineer paged
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.editor("time").value == "2025-02-09 10:08:12"
        await pilot.press("tab", *"Incident channel opened", "enter")
        await pilot.pause()
        events = app.session.pm.timeline
        assert events[3].event == "Incident channel opened"
        assert events[3].time == t("10:08:12")
        assert events[2].event == "On-call engineer paged"
        assert pane(app).table.cursor_row == 3
        await pilot.press("ctrl+s")
        assert saved(app).timeline[3].event == "Incident channel opened"


async def test_edit_time_resorts_and_keeps_cursor_on_row(make_app, saved):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down")  # 10:06:45 alert fires
        await pilot.press("e")
        await pilot.pause()
        time_box = app.screen.editor("time")
        time_box.value = "10:36"
        await pilot.press("enter")
        await pilot.pause()
        events = app.session.pm.timeline
        moved = pane(app).table.cursor_value
        assert moved.event == "High error rate alert fires"
        assert moved.time == t("10:36:00")
        assert events.index(moved) == 7
        assert [e.time for e in events] == sorted(e.time for e in events)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert events[1] is moved and moved.time == t("10:06:45")
        assert pane(app).table.cursor_row == 1
        await pilot.press("ctrl+y", "ctrl+s")
        assert saved(app).timeline[7].event == "High error rate alert fires"


async def test_bad_time_is_explained_in_place_and_kept(make_app):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.editor("time").value = "half past ten"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        assert form.editor("time").value == "half past ten"
        error = str(form.query_one("#error-time").content)
        assert "'half past ten' is not a time" in error
        assert app.session.pm.timeline[0].time == t("10:05:23")
        await pilot.press("escape")
        assert not app.session.dirty


async def test_delete_duplicate_undo_redo(make_app, saved):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        events = app.session.pm.timeline
        await pilot.press("down", "x")
        await pilot.pause()
        assert len(events) == 8 and all(e.event != "High error rate alert fires" for e in events)
        assert pane(app).table.cursor_value.event == "On-call engineer paged"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert events[1].event == "High error rate alert fires"
        await pilot.press("d")
        await pilot.pause()
        assert [e.event for e in events[1:3]] == ["High error rate alert fires"] * 2
        assert events[1] is not events[2]
        assert pane(app).table.cursor_row == 2
        await pilot.press("delete")
        await pilot.pause()
        assert len(events) == 9
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+y")
        await pilot.pause()
        assert len(events) == 10
        await pilot.press("ctrl+s")
        assert len(saved(app).timeline) == 10


async def test_marks_set_incident_times_and_header(make_app, saved, screen_text):
    pm = sample_postmortem()
    pm.times.detected = pm.times.mitigated = pm.times.resolved = None
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "TTD \u2013" in screen_text(app)
        await pilot.press("down", "D")  # 10:06:45
        await pilot.press("down", "down", "down", "down", "down", "M")  # 10:22:10
        await pilot.press("down", "R")  # 10:35:00
        await pilot.pause()
        times = app.session.pm.times
        assert (times.detected, times.mitigated, times.resolved) == (t("10:06:45"), t("10:22:10"), t("10:35:00"))
        assert app.session.pm.timeline[7].kind == "resolution"
        header = screen_text(app).splitlines()[0]
        assert "TTD 1min 22s" in header and "TTM 16min" in header and "TTR 29min" in header
        assert "unsaved" in header
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert times.resolved is None and app.session.pm.timeline[7].kind == "other"
        await pilot.press("ctrl+s")
        on_disk = saved(app)
        assert on_disk.times.mitigated == t("10:22:10") and on_disk.times.resolved is None
        assert "unsaved" not in screen_text(app).splitlines()[0]


async def test_filter_and_clear(make_app, screen_text):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"pagerduty")
        await pilot.pause()
        table = pane(app).table
        assert [e.event for e in table.rows] == [
            "On-call engineer paged",
            "Engineer acknowledges alert",
            "Incident marked resolved",
        ]
        assert "3 shown" in screen_text(app)
        await pilot.press("enter", "down", "e")  # edit works on the filtered view
        await pilot.pause()
        assert app.screen.editor("event").value == "Engineer acknowledges alert"
        await pilot.press("escape")
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(table.rows) == 9
        assert table.cursor_value.event == "Engineer acknowledges alert"


async def test_local_time_column(make_app, screen_text):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Local" not in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(app)
        assert "Local" in text.splitlines()[3]
        assert "10:05:23 11:05:23 CET" in text
        await pilot.press("l")
        await pilot.pause()
        assert "Local" not in screen_text(app)


async def test_outside_text_is_shown_inert(make_app, screen_text):
    pm = sample_postmortem()
    pm.timeline[0].event = "log said \x1b[31mred\x1b]52;c;Zm9v\x07"
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text
        assert "log said \u241b[31mred\u241b]52;c;Zm9v\u2407" in text
        # The edit form shows the same stand-ins and keeps the text as it is.
        await pilot.press("home", "e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.editor("event").value == pm.timeline[0].event
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "log said \u241b[31mred" in text


async def test_ten_thousand_rows_move_and_edit(make_app, screen_text):
    app = make_app(large_postmortem(10_000), first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = pane(app).table
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 9_999
        assert "Event 9999:" in screen_text(app)
        last = table.cursor_value
        # The session's timeline is a sorted list, edited through the pane.
        pane(app).update_event(last, {"time": last.time - timedelta(hours=1)})
        await pilot.pause()
        assert table.cursor_value is last
        assert app.session.pm.timeline.index(last) < 9_999


async def test_empty_timeline_says_what_to_do_and_adds_at_start(make_app, screen_text):
    pm = sample_postmortem()
    pm.timeline = []
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "press a to add one" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.editor("time").value == "2025-02-09 10:05:23"
        await pilot.press("tab", *"First page", "enter")
        await pilot.pause()
        assert app.session.pm.timeline == [TimelineEvent(t("10:05:23"), "First page", kind="other")]
