"""pmtui.trust's questions: what the app asks before a credential first
goes to a server a post-mortem file names, and what a yes remembers."""

from __future__ import annotations

import pytest

from pmtui.trust import Trust, TrustError, question_for

FILE = "the file's [sources.prometheus] url"


def test_a_file_named_server_and_variable_are_both_asked_about():
    q = question_for("https://prom.corp:9090/x", ["PROM_TOKEN"], named_by=FILE)
    assert q is not None
    assert (q.where, q.env_names, q.unallowed, q.untrusted) == (
        "https://prom.corp:9090", ("PROM_TOKEN",), ("PROM_TOKEN",), ("env:PROM_TOKEN",))
    assert q.command == "pmtui trust https://prom.corp:9090 --credential env:PROM_TOKEN --env PROM_TOKEN"
    path = q.remember()
    assert path.stat().st_mode & 0o777 == 0o600
    trust = Trust.load()
    assert trust.allows_env("PROM_TOKEN") and trust.allows("https://prom.corp:9090/api", "env:PROM_TOKEN")
    assert question_for("https://prom.corp:9090", ["PROM_TOKEN"], named_by=FILE) is None  # asked once


def test_a_user_named_server_still_needs_the_variable_allowed():
    q = question_for("https://prom.corp", ["U", "P", "U"], named_by="user")
    assert q is not None and q.unallowed == ("U", "P") and q.untrusted == ()
    assert q.command == "pmtui trust --env U --env P"


def test_another_server_is_asked_about_again():
    question_for("https://a.corp", ["T"], named_by=FILE).remember()  # type: ignore[union-attr]
    q = question_for("https://b.corp", ["T"], named_by=FILE)
    assert q is not None and q.unallowed == () and q.untrusted == ("env:T",)


def test_no_answer_allows_plain_http_to_another_host():
    with pytest.raises(TrustError, match="plain http"):
        question_for("http://prom.corp:9090", ["T"], named_by=FILE)
    assert question_for("http://127.0.0.1:9090", ["T"], named_by=FILE) is not None  # loopback: asked


def test_nothing_to_send_asks_nothing():
    assert question_for("https://prom.corp", ["", ""], named_by=FILE) is None


def test_collection_asks_about_each_source_that_would_send_a_credential():
    from pmtui.model import PostMortem
    from pmtui.sources.collect import Overrides, credential_questions

    pm = PostMortem(id="PM-1", title="t")
    pm.sources.prometheus.url, pm.sources.prometheus.auth = "https://prom.corp", "bearer"
    pm.sources.prometheus.token_env = "PROM_TOKEN"
    pm.sources.loki.url, pm.sources.loki.auth = "https://loki.corp", "bearer"  # LOKI_TOKEN: pmtui's own name
    pm.sources.slack.channel, pm.sources.slack.token_env = "inc-api", "FILE_SLACK_VAR"
    asked = {source: q for source, q in credential_questions(pm)}
    assert set(asked) == {"prometheus", "loki", "slack"}
    assert asked["prometheus"].unallowed == ("PROM_TOKEN",) and asked["prometheus"].untrusted == ("env:PROM_TOKEN",)
    assert asked["loki"].unallowed == () and asked["loki"].untrusted == ("env:LOKI_TOKEN",)
    assert asked["slack"].unallowed == ("FILE_SLACK_VAR",) and asked["slack"].untrusted == ()  # slack.com: the user's
    assert credential_questions(pm, demo=True) == []
    # Named on the command line: only the variable is asked about.
    asked = dict(credential_questions(pm, Overrides(prometheus="https://prom.corp")))
    assert asked["prometheus"].untrusted == () and asked["prometheus"].unallowed == ("PROM_TOKEN",)
    for _, question in credential_questions(pm):
        question.remember()
    assert credential_questions(pm) == []
