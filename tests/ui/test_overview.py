"""Overview pane: fields become undoable edits; bad text stays with its reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

from textual.widgets import Select

from pmtui.sample import sample_postmortem
from pmtui.ui.panes.overview import OverviewPane


def pane(app) -> OverviewPane:
    return app.panes["overview"]


async def ready(app, pilot) -> None:
    """Until the overview's form is built and laid out (it is built right
    after the first frame): a wait for that, not for a guessed time."""
    await pane(app).form_shown.wait()
    await pilot.pause()


async def test_typed_title_is_saved_and_undoable(make_app, saved, screen_text):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        box = pane(app).editor("title")
        box.focus()
        await pilot.press("end", *" in eu-west", "enter")
        await pilot.pause()
        assert app.session.pm.title == "API Service Degradation in eu-west"
        assert "API Service Degradation in eu-west" in screen_text(app).splitlines()[0]
        await pilot.press("ctrl+s")
        assert saved(app).title == "API Service Degradation in eu-west"
        await pilot.press("escape", "ctrl+z")
        await pilot.pause()
        assert app.session.pm.title == "API Service Degradation"
        assert box.value == "API Service Degradation"


async def test_bad_time_shown_in_place_and_kept(make_app, screen_text):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        view = pane(app)
        box = view.editor("detected")
        box.focus()
        box.value = "10:99"
        await pilot.press("tab")
        await pilot.pause()
        assert box.value == "10:99"
        assert "'10:99'" in view.error_text("detected")
        assert app.session.pm.times.detected == datetime(2025, 2, 9, 10, 6, 45, tzinfo=UTC)
        assert not app.session.dirty
        box.value = "10:01"  # before the start
        view.commit("detected")
        assert "before the start" in view.error_text("detected")
        box.value = "10:07 Europe/Berlin"  # 09:07 UTC: still before the start
        view.commit("detected")
        assert "before the start" in view.error_text("detected")
        box.value = "2025-02-09 11:07:00+01:00"
        assert view.commit("detected")
        assert view.error_text("detected") == ""
        assert app.session.pm.times.detected == datetime(2025, 2, 9, 10, 7, tzinfo=UTC)
        assert "TTD 1min 37s" in screen_text(app).splitlines()[0]


async def test_selects_numbers_dates_lists_and_text_areas(make_app, saved):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        view = pane(app)
        view.editor("severity").value = "SEV2"
        view.editor("status").value = "in review"
        view.editor("data_lost").value = "yes"
        await pilot.pause()
        pm = app.session.pm
        assert (pm.severity, pm.status, pm.impact.data_lost) == ("SEV2", "in review", True)
        users = view.editor("users_affected")
        users.value = "many"
        view.commit("users_affected")
        assert "not a whole number" in view.error_text("users_affected")
        users.value = "2,500"
        view.commit("users_affected")
        view.editor("reviewers").value = "@carol, @dan ,"
        view.commit("reviewers")
        view.editor("follow_up").value = "+2w"  # from the fixed clock, 2025-02-10
        view.commit("follow_up")
        summary = view.editor("summary")
        summary.focus()
        summary.load_text("Line one\nLine two")
        await pilot.press("tab")
        await pilot.pause()
        assert pm.impact.users_affected == 2500
        assert pm.reviewers == ["@carol", "@dan"]
        assert pm.follow_up == date(2025, 2, 24)
        assert pm.summary == "Line one\nLine two"
        await pilot.press("ctrl+s")
        on_disk = saved(app)
        assert (on_disk.severity, on_disk.status, on_disk.impact.data_lost) == ("SEV2", "in review", True)
        assert on_disk.impact.users_affected == 2500
        assert on_disk.summary == "Line one\nLine two"
        assert on_disk.follow_up == date(2025, 2, 24)


async def test_save_commits_the_field_being_typed(make_app, saved):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        box = pane(app).editor("trigger")
        box.focus()
        box.load_text("Deploy of v2.3.1")
        await pilot.press("ctrl+s")
        assert saved(app).trigger == "Deploy of v2.3.1"


async def test_empty_title_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        view = pane(app)
        view.editor("title").value = "   "
        assert not view.commit("title")
        assert "title is required" in view.error_text("title")
        assert app.session.pm.title == "API Service Degradation"


async def test_timeline_marks_refresh_the_times(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("3", "down", "down", "M", "1")
        await pilot.pause()
        assert pane(app).editor("mitigated").value == "2025-02-09 10:08:12"


async def test_uses_room_when_wide(make_app):
    app = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await ready(app, pilot)
        assert pane(app).has_class("-wide")
        left = pane(app).query_one("#section-0").region
        right = pane(app).query_one("#section-1").region
        assert right.x > left.right - 1  # side by side, not stacked
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert not pane(app).has_class("-wide")
        assert isinstance(pane(app).editor("status"), Select)
        assert pane(app).editor("title").region.right <= 80


async def test_first_frame_shows_the_fields_as_text_then_the_form_takes_over(make_app):
    from pmtui.ui.panes.overview import OverviewSummary

    pm = sample_postmortem()
    pm.trigger = "Deploy \x1b[2J of v2.3.1\nsecond line"
    app = make_app(pm)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.pause()
        view = pane(app)
        # Built after the first frame without anyone asking for an editor.
        assert view.query("#overview-scroll") and not view.query(OverviewSummary)
        summary = OverviewSummary(view)
        await view.mount(summary)
        await pilot.pause()
        lines = summary.render().plain.splitlines()
        assert lines[0] == "Incident"
        assert any(line.startswith("Title") and "API Service Degradation" in line for line in lines)
        trigger = next(i for i, line in enumerate(lines) if line.startswith("Trigger"))
        assert "Deploy \u241b[2J of v2.3.1" in lines[trigger] and "\x1b" not in "".join(lines)
        assert lines[trigger + 1].strip() == "second line"
