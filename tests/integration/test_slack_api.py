"""The Slack source over the Web API, against a loopback server that speaks
Slack's shapes (support/slack.py: pagination by cursor, threads, pins,
users.info, 200 + ok:false errors, 429 + Retry-After), driven through the
same client code a user runs."""

from __future__ import annotations

import time

from pmtui.model import SlackSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions
from pmtui.sources.slack import collect

WINDOW = Window(at("09:30:00"), at("12:10:00"))
FAST = HttpOptions(timeout=0.5, retries=1, backoff=0.05)


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def _rows(result) -> list[tuple]:
    return [(c.time, c.event, c.actor, c.kind, c.flag) for c in result.candidates]


def test_history_threads_pins_and_names_read_page_by_page(tmp_path, fake_slack, repo_root):
    server = fake_slack(page_cap=3)  # Slack may answer fewer items than asked: pagination is followed
    result = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path / "api"))
    assert result.gaps == []
    # The same channel read from its export gives the very same candidates.
    export = repo_root / "examples" / "demo-recordings" / "slack"
    offline = collect(SlackSettings(export=str(export), channel="inc-2025-02-09-api"), _ctx(tmp_path / "export"))
    assert _rows(result) == _rows(offline) and len(result.candidates) == 16
    assert result.notes == offline.notes
    history = server.calls("conversations.history$")
    assert len(history) >= 5 and all(r.arg("limit") == "200" and r.arg("inclusive") == "true" for r in history)
    assert [bool(r.arg("cursor")) for r in history] == [False] + [True] * (len(history) - 1)
    assert float(history[0].arg("oldest")) == WINDOW.start.timestamp()
    (replies,) = {r.arg("ts") for r in server.calls("conversations.replies$")}
    assert replies == next(m["ts"] for m in server.messages["C08INC0209"] if m["text"].startswith("Rollback"))
    assert {r.arg("user") for r in server.calls("users.info$")} == {"U01ALICE", "U02BOB", "U03CAROL", "U04DAN",
                                                                    "U05ERIN"}
    assert all(r.headers["authorization"] == f"Bearer {server.token}" for r in server.requests)
    assert not any(server.token in str(r.query) for r in server.requests)  # never in a URL
    (ev,) = result.evidence
    assert "Web API" in ev.query and server.token not in (tmp_path / "api" / ev.path).read_text()


def test_a_channel_by_id_and_a_channel_that_is_not_there(tmp_path, fake_slack):
    server = fake_slack()
    by_id = collect(SlackSettings(channel="C08INC0209"), _ctx(tmp_path))
    assert len(by_id.candidates) == 16 and server.calls("conversations.info$")
    assert by_id.candidates[0].source == "slack: #inc-2025-02-09-api"
    gone = collect(SlackSettings(channel="#no-such-channel"), _ctx(tmp_path))
    assert gone.gaps[0].description == ("Slack not read: no channel named #no-such-channel that the token can see "
                                        "(give its id, C…, for a private one)")
    unknown_id = collect(SlackSettings(channel="C0NOPE0001"), _ctx(tmp_path))
    assert "channel C0NOPE0001 not found, or the token cannot see it" in unknown_id.gaps[0].description
    server.not_member.add("C08INC0209")
    outside = collect(SlackSettings(channel="C08INC0209"), _ctx(tmp_path))
    assert "not in channel C08INC0209: invite it" in outside.gaps[0].description


def test_rate_limits_are_waited_out_as_asked(tmp_path, fake_slack):
    server = fake_slack()
    server.rate_limit("conversations.history", 1)
    server.rate_limit("users.info", 1)
    began = time.monotonic()
    result = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path))
    elapsed = time.monotonic() - began
    assert result.gaps == [] and len(result.candidates) == 16
    assert 2.0 <= elapsed < 8.0, elapsed  # two waits of the second Slack asked for
    assert len(server.calls("conversations.history$")) == 2  # the refused call, then the same again


def test_a_wait_longer_than_the_bound_is_a_gap_at_once(tmp_path, fake_slack):
    server = fake_slack()
    server.rate_limit("conversations.history", 600)
    began = time.monotonic()
    result = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path))
    assert time.monotonic() - began < 3
    (gap,) = result.gaps
    assert "is rate limiting (HTTP 429) and asks to wait 600 s, longer than the 30 s pmtui waits" in gap.description
    assert result.evidence == []


def test_a_wrong_token_a_missing_one_and_one_the_file_may_not_name(tmp_path, fake_slack, monkeypatch):
    server = fake_slack()
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-9999999999-8888888888-WrongTokenXyZ")
    wrong = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path))
    (gap,) = wrong.gaps
    assert gap.description == ("Slack not read: Slack refused the token in $SLACK_TOKEN (invalid_auth): it is "
                               "wrong, revoked or expired, or not a bot/user token")
    assert "WrongToken" not in gap.description
    monkeypatch.delenv("SLACK_TOKEN")
    unset = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path))
    assert "environment variable SLACK_TOKEN is not set" in unset.gaps[0].description
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    before = len(server.requests)
    chosen = collect(SlackSettings(channel="inc-2025-02-09-api", token_env="AWS_SECRET_ACCESS_KEY"), _ctx(tmp_path))
    assert chosen.gaps[0].description == (
        "Slack not read: [sources.slack] token_env names the environment variable 'AWS_SECRET_ACCESS_KEY', which "
        "you have not allowed as a credential. If it holds the token for this server, run `pmtui trust --env "
        "AWS_SECRET_ACCESS_KEY`; a post-mortem file may only name variables you allowed.")
    assert len(server.requests) == before  # nothing was sent
    monkeypatch.setenv("TEAM_SLACK", server.token)
    from pmtui.trust import Trust

    Trust.load().allow_env("TEAM_SLACK")  # what `pmtui trust --env TEAM_SLACK` writes, in the user's config
    allowed = collect(SlackSettings(channel="inc-2025-02-09-api", token_env="TEAM_SLACK"), _ctx(tmp_path))
    assert allowed.gaps == [] and len(allowed.candidates) == 16


def test_a_missing_scope_for_pins_costs_only_the_ranking(tmp_path, fake_slack):
    fake_slack(scopes=("channels:history", "channels:read", "users:read"))
    result = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path))
    (gap,) = result.gaps
    assert gap.description == ("pins of #inc-2025-02-09-api not read (pins.list: the token lacks the scope pins:read "
                               "(it has: channels:history,channels:read,users:read)); pinned messages are not ranked "
                               "first")
    # The history's own pinned_to still marks them.
    assert [c.flag for c in result.candidates if c.flag] == ["pinned", "pinned"]


def test_a_hung_slack_is_a_gap_within_the_bound(tmp_path, fake_slack):
    server = fake_slack()
    server.hang()
    began = time.monotonic()
    result = collect(SlackSettings(channel="inc-2025-02-09-api"), _ctx(tmp_path), http=FAST)
    elapsed = time.monotonic() - began
    assert 1.0 <= elapsed < 6.0, elapsed  # two tries of 0.5 s, then a gap
    (gap,) = result.gaps
    assert "no answer from" in gap.description and "(2 tries)" in gap.description


def test_plain_http_to_a_remote_host_never_carries_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("PMTUI_SLACK_API_URL", "http://slack.example.invalid/api")
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-1111111111-2222222222-NeverSentOverHttp")
    result = collect(SlackSettings(channel="inc"), _ctx(tmp_path))
    assert result.gaps[0].description.startswith("Slack not read: the value of SLACK_TOKEN would be sent over plain "
                                                 "http to http://slack.example.invalid. Use https;")


def test_one_collect_runs_limits_do_not_reach_the_next(tmp_path, fake_slack):
    """`pmtui collect --request-deadline 2` in one process (a script, the
    tests) must not shorten every later collection's waits."""
    from click.testing import CliRunner

    from pmtui import store
    from pmtui.cli import main
    from pmtui.model import PostMortem
    from pmtui.sources.httpget import default_options

    before = default_options()
    path = tmp_path / "pm.toml"
    store.save(store.new_document(PostMortem(id="PM-1", title="x"), path))
    CliRunner().invoke(main, ["collect", str(path), "--log", str(tmp_path / "none.log"), "--request-deadline", "2",
                              "--max-response-mb", "1"])
    after = default_options()
    assert (after.deadline, after.max_bytes) == (before.deadline, before.max_bytes)
