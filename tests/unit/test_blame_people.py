"""The blameless lint sees people: names from the post-mortem and the team,
a sentence's subject and its verb. Scored on a labelled corpus."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pmtui import blame, checks
from pmtui.model import ActionItem, PostMortem, TimelineEvent


def _flags(people):
    return lambda text: bool(checks.blame_spans(text, people))


def test_corpus_precision_and_recall(capsys, blame_corpus_data):
    people = blame.People(blame_corpus_data.people)
    lines = []
    for part in ("dev", "held-out"):
        cases = [c for c in blame_corpus_data.cases if c.part == part]
        before = blame_corpus_data.score(cases, _flags(blame.People(())))
        after = blame_corpus_data.score(cases, _flags(people))
        lines += [before.line(f"{part}: phrases only"), after.line(f"{part}: with people")]
        assert after.precision >= 0.95, after.false_alarms
        assert after.recall >= 0.9, after.misses
        assert after.recall > before.recall + 0.5
    with capsys.disabled():
        print("\n" + "\n".join(lines))


@pytest.mark.parametrize(("text", "rewrite"), [
    ("Bob caused the outage", "The outage was caused by <the change or condition — name it>"),
    ("Alice did not check the dashboard", "The dashboard was not checked"),
    ("Carol pushed a bad config to production at 10:02.", "A bad config was pushed to production at 10:02"),
    ("Dave forgot to renew the certificate.", "The certificate was not renewed"),
    ("The engineer ignored the warnings", "The warnings were not acted on"),
])
def test_findings_carry_a_systems_first_rewrite(text, rewrite):
    found = blame.findings(text, blame.People(["@alice", "@bob", "@carol", "@dave"]))
    assert [f.rewrite for f in found] == [rewrite]
    assert rewrite in found[0].suggestion


def test_timeline_action_by_a_person_is_not_blame():
    assert blame.findings("@alice rolled back at 10:22", blame.People(["@alice"])) == []


def test_names_come_from_the_post_mortem():
    pm = PostMortem(
        authors=["@alice"], reviewers=["Carol Diaz"],
        actions=[ActionItem("AI-001", "Add an alert on pool saturation at 80%", owner="@bob")],
        summary="Bob caused the outage. Alice did not check the dashboard. Carol pushed a bad config.",
        timeline=[TimelineEvent(datetime(2025, 2, 9, 10, 22, tzinfo=UTC), "@alice rolled back", actor="@alice")],
    )
    results = [r for r in checks.check_blame(pm, datetime.now(UTC)) if r.result == checks.FAIL]
    assert len(results) == 3 and all(r.section == "summary" for r in results)
    assert any("Systems-first" in r.suggestion for r in results)
    # Without the people, only the fixed phrases are seen: none of the three.
    bare = PostMortem(summary=pm.summary)
    assert all(r.result == checks.PASS for r in checks.check_blame(bare, datetime.now(UTC)))


def test_systems_in_the_actor_column_are_not_people():
    pm = PostMortem(timeline=[TimelineEvent(datetime(2025, 2, 9, tzinfo=UTC), "x", actor="PagerDuty")])
    assert blame.findings("PagerDuty failed to page the secondary", blame.people_in(pm)) == []


def test_a_name_that_is_a_word_matches_only_as_a_name():
    people = blame.People(["@will"])
    assert blame.findings("Will caused the outage", people)
    assert not blame.findings("The change will cause the outage", people)
