"""One name per person across sources, from the team's roster."""

from __future__ import annotations

from datetime import UTC, datetime

from pmtui.sources.actors import spellings, unify
from pmtui.sources.base import Candidate
from pmtui.team.config import Person

ROSTER = (
    Person("@alice", name="Alice Chen", email="alice@example.com", github="achen", aliases=("Ali",)),
    Person("bob", name="Bob Martin"),
    Person("@sam1", name="Sam"),
    Person("@sam2", name="Sam"),
)


def _c(actor: str) -> Candidate:
    return Candidate(datetime(2025, 2, 9, 10, 12, tzinfo=UTC), "Incident acknowledged", "pagerduty", actor=actor)


def test_every_spelling_the_roster_knows_becomes_the_handle():
    names = spellings(ROSTER)
    found = [_c(a) for a in ("Alice Chen", "alice chen", "@Alice  Chen", "alice@example.com", "achen", "Ali",
                             "@alice", "Bob Martin", "@bob")]
    unify(found, names)
    assert [c.actor for c in found] == ["@alice"] * 7 + ["@bob", "@bob"]


def test_unknown_shared_and_bot_names_stay_as_given():
    names = spellings(ROSTER)
    assert "sam" not in names  # two people called Sam: neither gets the rows
    found = [_c("Sam"), _c("Carol Diaz"), _c("System"), _c("@alice (bot)"), _c("")]
    assert unify(found, names) == 0
    assert [c.actor for c in found] == ["Sam", "Carol Diaz", "System", "@alice (bot)", ""]


def test_no_roster_changes_nothing():
    found = [_c("Alice Chen")]
    assert unify(found, {}) == 0 and found[0].actor == "Alice Chen"
