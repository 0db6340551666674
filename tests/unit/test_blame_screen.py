"""The blameless lint's pre-screen (blame.People.screen) changes nothing:
every finding the patterns make on their own, the screened lint makes too,
on the labelled corpus, on generated post-mortems and on text built from
the words and characters the screen's edges and folding are about."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import blame, checks
from pmtui.model import ActionItem, PostMortem, TimelineEvent
from pmtui.sample_library import make_pm

NAMES = ["@alice", "@bob", "Carol Smith", "Dev Patel", "@o'neil", "Straße", "@kim", "İlker"]
NOW = datetime(2025, 3, 1, tzinfo=UTC)


class Unscreened(blame.People):
    """The patterns alone: what the lint did before the screen."""

    def screen(self, text: str, fixed: tuple[str, ...] = ()) -> list[int] | None:
        return None


def _both(names):
    return blame.People(names), Unscreened(names)


def test_corpus_gives_the_same_findings(blame_corpus_data):
    for names in (blame_corpus_data.people, ()):
        screened, plain = _both(names)
        for case in blame_corpus_data.cases:
            assert checks.blame_spans(case.text, screened) == checks.blame_spans(case.text, plain), case.text


def test_screen_passes_over_prose_that_names_nobody():
    people = blame.People(["@alice", "@bob"])
    prose = ("Error rate on checkout rose to 4% (p99 latency 2.3 s)\n"
             "The cache hit ratio dropped; the pool was exhausted.")
    assert people.screen(prose) == []
    # ...and finds each way a person can be written, at a word's edges only.
    for text, found in [("Alice pushed", [0]), ("ask @bob", [4]), ("the on-call paged", [4]),
                        ("then she left", [5]), ("shell", []), ("xAlice's mistake", [1]), ("kim@alice", [])]:
        assert people.screen(text) == found, text


def test_text_that_folds_out_of_place_goes_to_the_patterns():
    people = blame.People(["@alice"])
    assert blame.fold("Straße") is None and people.screen("Straße") is None
    assert blame.fold("\u0130") is None and blame.fold("a\u0307") is None
    # The Kelvin sign, the long s and the dotless i match k, s and i in re.IGNORECASE.
    assert blame.fold("\u212aim \u017fre \u0131ntern") == "kim sre intern"
    assert people.screen("the \u017fre broke it") == [4]


def _pm(i: int, names: list[str], prose: list[str]) -> PostMortem:
    import random

    pm = make_pm(i, random.Random(i), 60)
    pm.authors = names[:2]
    pm.actions.append(ActionItem("AI-009", prose[0] if prose else "", owner=names[-1] if names else ""))
    pm.lessons = prose[1:3]
    pm.timeline += [TimelineEvent(NOW, t, "", "", "other") for t in prose[3:]]
    return pm


def test_generated_post_mortems_give_the_same_checks():
    for i in range(40):
        pm = _pm(i, NAMES[i % 5: i % 5 + 3], ["Bob caused the outage", "The engineer forgot to renew it",
                                              "Carol's mistake", "the oncall ignored the page"][: i % 5])
        screened, plain = _both(blame.people_in(pm).forms)
        assert checks.check_blame(pm, NOW, screened) == checks.check_blame(pm, NOW, plain)


WORDS = st.sampled_from([
    "Alice", "alice", "@alice", "Bob", "@bob", "Carol", "Carol Smith", "Dev", "dev", "developer", "he", "He", "she",
    "the", "then", "shell", "on-call", "oncall", "On-Call engineer", "engineer", "new hire", "team member", "sre",
    "admin", "administrator", "intern", "internal", "someone", "contractor", "release manager", "dba", "Kim",
    "caused", "caused by", "due to", "because of", "blame", "blamed on", "mistake", "error", "fault", "oversight",
    "by", "of", "from", "forgot to", "did not", "didn't", "failed to", "ignored", "missed", "pushed", "a bad",
    "config", "to production", "accidentally", "deleted", "the prod database", "was responsible", "to blame",
    "'s", "\u2019s", "'", "-", "@", ".", ",", ";", "!", "\n", "(", "x", "\u212a", "\u017f", "\u0131", "\u0130",
    "\u00df", "\u0307", "\u00e9", "human error", "should have", "careless", "lazy", "bother",
])
SEPARATORS = st.sampled_from([" ", "", " ", "  ", "\t"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=14), st.sampled_from([(), ("@alice", "Carol Smith"),
                                                                                tuple(NAMES)]))
def test_any_text_gives_the_same_findings(parts, names):
    text = "".join(w + s for w, s in parts)
    screened, plain = _both(names)
    assert checks.blame_spans(text, screened) == checks.blame_spans(text, plain)
    assert blame.findings(text, screened) == blame.findings(text, plain)
    hits = screened.screen(text)
    if hits == []:
        assert plain.mention.search(text) is None and plain.attribution.search(text) is None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(WORDS, SEPARATORS), max_size=8).map(lambda p: "".join(w + s for w, s in p)),
                min_size=1, max_size=8))
def test_any_post_mortem_gives_the_same_check(texts):
    pm = PostMortem(id="PM-1", title=texts[0], summary=texts[-1], authors=["@alice"], went_wrong=texts[1:],
                    timeline=[TimelineEvent(NOW, t, "", "", "other") for t in texts])
    screened, plain = _both(blame.people_in(pm).forms)
    assert checks.check_blame(pm, NOW, screened) == checks.check_blame(pm, NOW, plain)
