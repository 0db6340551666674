"""The blame lint's quick test of a text (a literal word of some phrase, or
a person named) never skips a text the full patterns flag."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import blame, checks

CORPUS = Path(__file__).parents[1] / "data" / "blame_corpus.toml"
PEOPLE = blame.People(["@alice", "Bob Smith", "carol", "@dave.ops"])


class _Always:
    @staticmethod
    def search(_text: str) -> bool:
        return True


def corpus_texts() -> list[str]:
    data = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    out: list[str] = []
    for value in data.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    out += [v for v in item.values() if isinstance(v, str)]
                elif isinstance(item, str):
                    out.append(item)
    return out


def quick_and_full(text: str, people: blame.People) -> tuple[list, list]:
    real = checks._BLAME_WORDS, checks._PREDICATE_WORDS
    quick = checks.blame_spans(text, people)
    checks._BLAME_WORDS = checks._PREDICATE_WORDS = _Always  # type: ignore[assignment]
    try:
        return quick, checks.blame_spans(text, people)
    finally:
        checks._BLAME_WORDS, checks._PREDICATE_WORDS = real


def test_the_corpus_is_flagged_alike_with_and_without_the_quick_test():
    texts = corpus_texts()
    assert len(texts) > 100
    flagged = 0
    for text in texts:
        for people in (PEOPLE, blame.cached_people(())):
            quick, whole = quick_and_full(text, people)
            assert quick == whole, text
            flagged += bool(whole)
    assert flagged > 50


PREDICATES = ["took down", "crashed", "did not", "didn't", "never", "forgot to", "failed to", "neglected to",
              "refused to", "chose not to", "ignored", "overlooked", "skipped", "was careless", "seemed distracted",
              "was not paying attention", "pushed", "deployed", "merged", "deleted", "dropped", "wiped", "the prod",
              "database", "an untested", "change", "without review", "accidentally", "hastily", "fat-fingered",
              "is to blame", "was at fault", "with a typo", "ran", "restarted", "checked", "Carol", "someone",
              "the on-call engineer", "she", "they", "acked and ignored", "main", "customers'"]
OTHER = ["the", "engineer", "@alice", "Bob", "caused", "CAUSED", "\u017fhould", "have", "missed", "the",
                         "alert", "due", "to", "carol's", "mistake", "he", "forgot", "to", "renew", "pushed", "a",
                         "bad", "config", "Bob Smith", "blamed", "on", "ERROR", "human", "made", "\u212a", "fault", ".",
                         ",", "was", "to", "blame", "did", "not", "check"]
words = st.sampled_from([*PREDICATES, *OTHER])


@settings(max_examples=2000, deadline=None)
@given(st.lists(words, max_size=12).map(" ".join))
def test_any_sentence_is_flagged_alike_with_and_without_the_quick_test(text):
    for people in (PEOPLE, blame.cached_people(())):
        quick, whole = quick_and_full(text, people)
        assert quick == whole


def test_many_texts_at_once_are_flagged_as_each_alone():
    texts = [*corpus_texts(), "", "naïve café — ÉRROR \u017fhould", "x\x00y not", "İstanbul BAD deploy"]
    for people in (PEOPLE, blame.cached_people(())):
        assert checks.blame_spans_many(texts, people) == [checks.blame_spans(t, people) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(words, max_size=8).map(" ".join), max_size=20))
def test_any_texts_at_once_are_flagged_as_each_alone(texts):
    assert checks.blame_spans_many(texts, PEOPLE) == [checks.blame_spans(t, PEOPLE) for t in texts]
