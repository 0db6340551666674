"""Slack: mrkdwn to plain text, kinds, and a channel export read offline
into candidates (tests/data/slack-export, in Slack's own folder layout)."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from pmtui.model import SlackSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.slack import collect
from pmtui.sources.slackdata import SlackError
from pmtui.sources.slackexport import read_export
from pmtui.sources.slacktext import guess_kind, is_chatter, plain

WINDOW = Window(at("10:00:00"), at("11:00:00"))
NAMES = {"U1": "alice", "U2": "bob"}


def _plain(text: str) -> str:
    return plain(text, NAMES.get, {"C1": "general"}.get)


@pytest.mark.parametrize("text, shown", [
    ("<@U1> please look", "@alice please look"),
    ("<@U9> unknown", "@U9 unknown"),
    ("<@U9|carol> named", "@carol named"),
    ("see <#C1> and <#C2|ops>", "see #general and #ops"),
    ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
    ("<!subteam^S1|@dba> help", "@dba help"),
    ("at <!date^1739095380^{time}|10:03 UTC>", "at 10:03 UTC"),
    ("<https://grafana.example.com/d/x?a=1&amp;b=2|the dashboard>", "the dashboard"),
    ("<https://example.com/x>", "https://example.com/x"),
    ("<mailto:oncall@example.com|oncall@example.com>", "oncall@example.com"),
    ("*bold* _italic_ ~struck~ `code`", "bold italic struck code"),
    ("```\nkubectl rollout undo\n```", "kubectl rollout undo\n"),
    ("a &lt;b&gt; &amp; c", "a <b> & c"),
    ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4"),
])
def test_mrkdwn_becomes_plain_text(text, shown):
    assert _plain(text) == shown


@pytest.mark.parametrize("text, kind", [
    ("Decision: we will not roll back", "decision"),
    ("Rollback ruled out: migration 0042", "decision"),
    ("Let's go with the cache flag", "decision"),
    ("Paging @bob, I'm taking IC", "escalation"),
    ("@here bridge is open", "escalation"),
    ("Status page set to degraded", "communication"),
    ("Rolling back to v2.2.4 now", "action"),
    ("Restarted the api pods", "action"),
    ("Index on orders created concurrently", "action"),
    ("Error ratio is 41%", "communication"),
])
def test_kinds_are_guessed_from_the_words(text, kind):
    assert guess_kind(text) == kind


@pytest.mark.parametrize("text, chatter", [
    ("ok", True), ("+1", True), ("thanks!", True), (":tada:", True), (":eyes: :+1:", True), ("", True),
    ("ok, rolling back now", False), ("no", False), ("42% errors", False)])
def test_chatter(text, chatter):
    assert is_chatter(text) is chatter


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_export_folder_gives_ranked_candidates_with_actors(tmp_path, slack_export_dir):
    result = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout"), _ctx(tmp_path))
    assert result.gaps == []
    by_time = {c.time: c for c in result.candidates}
    # Flagged first (a reaction mark, a pin, a star), each part in time order.
    flags = [c.flag for c in result.candidates]
    assert flags[:3] == [":white_check_mark: \u00d72", "pinned", "starred"] and not any(flags[3:])
    rest = [c.time for c in result.candidates[3:]]
    assert rest == sorted(rest)
    page = by_time[at("10:02:00")]
    assert page.actor == "@alice" and page.kind == "escalation" and page.source == "slack: #inc-checkout"
    assert page.event == ("Paging @bob and @dba-oncall: 5xx on checkout since 10:03. See #general and "
                          "the API dashboard")
    decision = by_time[at("10:20:00")]
    assert decision.kind == "decision" and decision.actor == "@bob"
    reply = by_time[at("10:21:00")]
    assert reply.event == "\u21b3 Agreed, flipping the flag. (in the thread of @bob at 10:20:00)"
    assert by_time[at("10:22:00")].actor == "@U99GONE"  # a user the export no longer lists
    assert by_time[at("10:30:00")].actor == "@Carol Diaz"  # no display name: the real name
    assert by_time[at("10:31:00")].event == "shared a file: error ratio graph"
    assert by_time[at("10:32:00")].kind == "communication"  # the topic set
    # Left out: the join, the bot message, "ok", ":tada:", and what is outside the window.
    assert not {at("10:01:00"), at("10:06:00"), at("10:08:00"), at("10:40:00"), at("11:30:00")} & set(by_time)
    assert result.notes == ["left out 1 bot message and 2 short acknowledgements (in the evidence; "
                            "[sources.slack] bots = true, chatter = true keeps them)"]
    (ev,) = result.evidence
    assert ev.kind == "chat" and ev.path == "inc.evidence/slack/inc-checkout.json"
    doc = json.loads((tmp_path / ev.path).read_bytes())
    assert doc["channel"] == {"id": "C0INC123", "name": "inc-checkout"}
    assert len(doc["messages"]) == 15  # the window's messages, bots and joins included
    # Each reference opens the evidence at its message.
    lines = (tmp_path / ev.path).read_text().splitlines()
    for c in result.candidates:
        number = int(c.evidence.removeprefix(ev.id + "#L"))
        assert f'"ts": "{c.time.timestamp():.0f}.' in lines[number - 1]


def test_hostile_messages_stay_inert_one_line_and_redacted(tmp_path, slack_export_dir):
    result = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout"), _ctx(tmp_path))
    by_time = {c.time: c for c in result.candidates}
    ansi = by_time[at("10:05:00")].event
    assert "\x1b" not in ansi and "\u241b[31mRED" in ansi  # the escape shown, not obeyed
    assert "[bold red]not markup[/]" in ansi  # kept as characters (the UI shows it as Text)
    assert "rollback now maybe kubectl rollout undo deploy/api <3 & done" in ansi
    paste = by_time[at("10:07:00")].event
    assert paste == ("Traceback (most recent call last): \u2026 psycopg2.OperationalError: connection pool "
                     "exhausted (42 lines)")
    assert "\n" not in paste and len(paste) <= 240
    leak = by_time[at("10:09:00")].event
    assert "LeakedSlackToken" not in leak and "AbCdEfGhIjKl" not in leak
    assert "\u00abredacted:slack-bot-token\u00bb" in leak and "\u00abredacted:slack-webhook\u00bb" in leak
    evidence = (tmp_path / result.evidence[0].path).read_text()
    assert "LeakedSlackToken" not in evidence and "AbCdEfGhIjKlMnOp" not in evidence


def test_bots_and_chatter_on_request(tmp_path, slack_export_dir):
    result = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout", bots=True, chatter=True),
                     _ctx(tmp_path))
    by_time = {c.time: c for c in result.candidates}
    assert by_time[at("10:08:00")].actor == "@PagerDuty (bot)"
    assert by_time[at("10:08:00")].event == "Triggered: HighErrorRate api-service"
    assert by_time[at("10:06:00")].event == "ok" and result.notes == []


def test_marks_are_configurable(tmp_path, slack_export_dir):
    result = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout", marks=["eyes"]),
                     _ctx(tmp_path))
    assert [c.flag for c in result.candidates if c.flag] == ["pinned", "starred"]


def test_a_zip_export_reads_the_same(tmp_path, slack_export_dir, slack_export_zip):
    folder = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout"), _ctx(tmp_path / "a"))
    zipped = collect(SlackSettings(export=str(slack_export_zip), channel="#inc-checkout"), _ctx(tmp_path / "b"))
    assert [(c.time, c.event, c.actor, c.flag) for c in zipped.candidates] == [
        (c.time, c.event, c.actor, c.flag) for c in folder.candidates]


def test_a_zip_of_the_export_folder_and_path_hash_channel(tmp_path, slack_export_dir):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in slack_export_dir.rglob("*.json"):
            z.write(f, "Acme Slack export/" + f.relative_to(slack_export_dir).as_posix())
    result = collect(SlackSettings(export="export.zip#inc-checkout-private"), _ctx(tmp_path))
    assert [(c.event, c.source) for c in result.candidates] == [
        ("Private note: customer Acme affected", "slack: #inc-checkout-private")]


def test_choosing_the_channel(tmp_path, slack_export_dir):
    with pytest.raises(SlackError, match=r"holds \d channels .*name the incident's"):
        read_export(slack_export_dir, "", WINDOW)
    with pytest.raises(SlackError, match=r"has no channel 'nope' \(it has #general, #inc-checkout"):
        read_export(slack_export_dir, "nope", WINDOW)
    by_id = read_export(slack_export_dir, "C0INC123", WINDOW)
    decision = next(m for m in by_id.messages if m["text"].startswith("Decision"))
    assert by_id.channel.name == "inc-checkout" and by_id.pinned == {decision["ts"]}
    one = tmp_path / "one"
    shutil.copytree(slack_export_dir, one)
    (one / "groups.json").unlink()
    channels = json.loads((one / "channels.json").read_text())
    (one / "channels.json").write_text(json.dumps(channels[:1]))
    assert read_export(one, "", WINDOW).channel.name == "inc-checkout"  # the only channel


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a zip"), "neither a Slack export zip nor a folder"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hi"), "not a Slack export: it has no channels.json"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("channels.json", "{broken"), "channels.json in .* is not JSON"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("channels.json", '{"a": 1}'), "is not a list of conversations"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("channels.json", "[]"), "lists no channels"),
])
def test_a_malformed_export_is_a_gap_with_its_reason(tmp_path, make, message):
    path = tmp_path / "export.zip"
    make(path)
    result = collect(SlackSettings(export=str(path)), _ctx(tmp_path))
    assert result.candidates == [] and result.evidence == []
    (gap,) = result.gaps
    assert gap.source == "slack" and gap.description.startswith("Slack not read: ")
    import re

    assert re.search(message, gap.description), gap.description


def test_a_missing_export_and_a_window_the_export_misses(tmp_path, slack_export_dir):
    gone = collect(SlackSettings(export="nowhere.zip"), _ctx(tmp_path))
    assert gone.gaps[0].description == "Slack not read: export nowhere.zip does not exist"
    later = Context(window=Window(at("10:00:00").replace(month=3), at("11:00:00").replace(month=3)),
                    evidence_dir=tmp_path / "e", base_dir=tmp_path)
    result = collect(SlackSettings(export=str(slack_export_dir), channel="inc-checkout"), later)
    texts = [g.description for g in result.gaps]
    assert "the export has no day of #inc-checkout in the window (the export holds 2025-02-08 to 2025-02-09)" in texts
    assert any(t.startswith("no messages in #inc-checkout between 2025-03-09 10:00") for t in texts)
