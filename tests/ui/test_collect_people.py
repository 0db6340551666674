"""The Collect pane with the people and the logs that outlive pods: Slack
and PagerDuty candidates (flagged ones first, actors shown, incident times
offered), their settings and a log file added from the pane — at 80x24
and wider, checked on the model, the screen and the saved file."""

from __future__ import annotations

import pytest

from pmtui.sample import at
from pmtui.ui.panes.collect import CollectPane
from pmtui.ui.screens.form import FormScreen


def pane(app) -> CollectPane:
    return app.panes["collect"]


async def collect(app, pilot, settle):
    await pilot.press("c")
    await settle(pilot)
    for _ in range(20):
        if not pane(app).running:
            break
        await pilot.pause(0.05)
    await settle(pilot)


def _people_only(pm, slack_export_dir):
    """No infrastructure source, no timeline yet: the channel export and the
    demo's paging log are all there is."""
    pm.sources.prometheus.url = pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    pm.sources.window_start, pm.sources.window_end = at("10:00:00"), at("11:59:00")
    pm.sources.slack.export, pm.sources.slack.channel = str(slack_export_dir), "inc-checkout"
    pm.timeline = []
    return pm


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_flagged_messages_first_with_their_actors(make_app, settle, screen_text, size, slack_export_dir):
    from pmtui.sample import sample_postmortem

    app = make_app(_people_only(sample_postmortem(), slack_export_dir), first_pane="collect")
    async with app.run_test(size=size) as pilot:
        await collect(app, pilot, settle)
        p = pane(app)
        assert p.states["slack"].state == "done"
        # Pinned, starred and reaction-marked messages come first, each marked.
        flagged = [c for c in p.shown if c.flag]
        assert [c.time for c in flagged] == [at("10:02:00"), at("10:20:00"), at("10:45:00")]
        assert p.shown[: len(flagged)] == flagged
        text = screen_text(app)
        assert "\u2605" in text and "✓ slack" in text
        if size[0] >= 100:
            assert "Actor" in text and "@alice" in text
        else:
            assert "\u2605 @alice: Paging @bob" in text  # the actor leads the event when narrow
        for line in text.splitlines():
            assert len(line) <= size[0]


async def test_a_guessed_kind_is_corrected_before_accepting(make_app, settle, slack_export_dir):
    from pmtui.sample import sample_postmortem

    app = make_app(_people_only(sample_postmortem(), slack_export_dir), first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        await collect(app, pilot, settle)
        p = pane(app)
        row = next(i for i, c in enumerate(p.shown) if c.time == at("10:30:00"))  # status page: communication
        p.table.move_cursor(row)
        assert p.table.cursor_value.kind == "communication"
        await pilot.press("K", "K")  # communication -> other -> symptom
        assert p.table.cursor_value.kind == "symptom" and p.table.cursor_row == row
        await pilot.press("space")
        added = next(e for e in app.session.pm.timeline if e.time == at("10:30:00"))
        assert added.kind == "symptom" and added.actor == "@Carol Diaz"


async def test_the_demo_channel_and_paging_log_meet_the_curated_rows(demo_app, settle, screen_text):
    app = demo_app(demo=True, first_pane="collect")
    async with app.run_test(size=(160, 48)) as pilot:
        await collect(app, pilot, settle)
        p = pane(app)
        assert p.states["slack"].state == "done" and p.states["pagerduty"].state == "done"
        # What the hand-written timeline says already is not offered again;
        # the rest of the human half is.
        offered = {(c.time, c.source) for c in p.shown}
        assert (at("10:17:00"), "slack: #inc-2025-02-09-api") in offered
        assert (at("10:10:12"), "pagerduty: #4711") in offered
        assert not {(at("10:19:30"), "slack: #inc-2025-02-09-api"), (at("10:12:00"), "pagerduty: #4711")} & offered
        assert "Bob Martin" in screen_text(app)


async def test_accepting_the_acknowledgement_sets_the_detection_time(demo_app, settle, screen_text):
    app = demo_app(demo=True, first_pane="collect")
    pm = app.session.pm
    pm.times.detected = None
    pm.timeline = [e for e in pm.timeline if e.source != "PagerDuty"]  # the paging log is not typed in yet
    async with app.run_test(size=(120, 36)) as pilot:
        await collect(app, pilot, settle)
        p = pane(app)
        assert "accepting sets detected 10:12:00" in screen_text(app)
        ack = next(i for i, c in enumerate(p.shown) if c.sets == "detected")
        p.table.move_cursor(ack)
        await pilot.press("space")
        await settle(pilot)
        assert pm.times.detected == at("10:12:00")
        assert any(e.event == "Alice Chen acknowledged #4711" for e in pm.timeline)
        assert "TTD 7min" in screen_text(app)  # the header's figure follows
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert pm.times.detected is None
        assert not any(e.event == "Alice Chen acknowledged #4711" for e in pm.timeline)


async def test_people_settings_form_saves_names_and_relative_paths(demo_app, settle, saved, screen_text, tmp_path,
                                                                    slack_export_zip):
    app = demo_app(first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.editor("slack_export").value = str(slack_export_zip)  # absolute: kept relative to the file
        form.editor("slack_channel").value = "#inc-checkout"
        form.editor("slack_token_env").value = "xoxb-1234-secret"
        form.editor("loki_url").value = "http://admin:pw@loki:3100"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused: a token is not a variable's name, no password in a URL
        assert "NAME of an environment variable" in screen_text(app)
        form.editor("slack_token_env").value = "$SLACK_BOT_TOKEN"
        form.editor("loki_url").value = "http://loki.internal:3100/"
        form.editor("pd_incident").value = "Q1API20250209"
        form.query_one("#field-slack_bots").value = "yes"
        form.query_one("#field-log_files").text = "combined:logs/access.log.gz\n\njournal:logs/api.json\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        s = app.session.pm.sources
        assert (s.slack.channel, s.slack.token_env, s.slack.bots) == ("inc-checkout", "SLACK_BOT_TOKEN", True)
        assert s.slack.export == slack_export_zip.name  # beside the file: no absolute path of this machine
        assert (s.loki.url, s.pagerduty.incident) == ("http://loki.internal:3100", "Q1API20250209")
        assert s.files.paths == ["combined:logs/access.log.gz", "journal:logs/api.json"]
        assert "Slack: #inc-checkout (export" in screen_text(app)
        await pilot.press("ctrl+s")
        on_disk = saved(app).sources
        assert on_disk.slack == s.slack and on_disk.files == s.files
        raw = app.document.path.read_text()
        assert str(tmp_path) not in raw and "secret" not in raw


async def test_adding_a_log_file_then_collecting_it(make_app, settle, screen_text, tmp_path):
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.sources.prometheus.url = pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    pm.timeline = []  # (the sample's own row says the pool was exhausted)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "api.log").write_text(
        "2025-02-09T10:15:30Z level=error msg=\"connection pool exhausted\"\n"
        "2025-02-09T10:15:31Z level=error msg=\"connection pool exhausted\"\n")
    app = make_app(pm, first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        form = app.screen
        form.editor("path").value = "logs/nope.log"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "no file logs/nope.log" in screen_text(app)
        form.editor("path").value = str(tmp_path / "logs" / "api.log")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.pm.sources.files.paths == ["logs/api.log"]
        await collect(app, pilot, settle)
        p = pane(app)
        assert p.states["files"].state == "done"
        (c,) = p.shown
        assert (c.time, c.source) == (at("10:15:30"), "file: api.log")
        assert "first 'connection pool exhausted' error" in screen_text(app)
        await pilot.press("ctrl+z")  # undo the added file (the collection stays)
        assert app.session.pm.sources.files.paths == []


async def test_chat_text_stays_inert_on_screen(make_app, settle, screen_text, slack_export_dir, hostile):
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.sources.prometheus.url = pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    pm.sources.window_start, pm.sources.window_end = at("10:00:00"), at("11:00:00")
    pm.sources.slack.export, pm.sources.slack.channel = str(slack_export_dir), "inc-checkout"
    app = make_app(pm, first_pane="collect")
    async with app.run_test(size=(160, 48)) as pilot:
        await collect(app, pilot, settle)
        text = screen_text(app)
        assert "\x1b" not in text and "\u241b[31mRED\u241b[0m [bold red]not markup[/]" in text
        assert "LeakedSlackToken" not in text and "\u00abredacted:slack-bot-token\u00bb" in text
        assert "Traceback (most recent call last): \u2026" in text


def test_people_form_snapshot_80x24(snap_compare, demo_app):
    async def open_form(pilot):
        await pilot.press("P")
        await pilot.pause()

    assert snap_compare(demo_app(first_pane="collect"), terminal_size=(80, 24), run_before=open_form)
