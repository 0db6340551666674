"""The timeline filter's fast path (kept search texts, narrowing as the
needle grows, rows read in place) finds exactly the rows the plain rule
finds, in the same order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.model import TimelineEvent
from pmtui.rowfilter import RowFilter, matches, search_text

START = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
# Letters whose lowering depends on their neighbours (final sigma), that
# lower to more than one character (İ), NUL (the texts' separator), case.
ALPHABET = "aAbB pP\0\u03a3\u03c3\u03c2\u0130i\u00dfSs-1"  # capital, small and final sigma, dotted I, sharp s
texts = st.text(alphabet=ALPHABET, max_size=8)


def plain(rows: list[TimelineEvent], needle: str, key_only: bool) -> list[TimelineEvent]:
    """The filter as it was written before the fast path: the reference."""
    return [e for e in rows if (not key_only or e.key)
            and (needle in e.event.lower() or needle in e.source.lower()
                 or needle in e.actor.lower() or needle in e.kind.lower())]


rows_st = st.lists(
    st.builds(lambda i, ev, so, ac, ki, key: TimelineEvent(START + timedelta(seconds=i), ev, so, ac, ki, key),
              st.integers(0, 1000), texts, texts, texts, st.sampled_from(["symptom", "action", "other", "Σ"]),
              st.booleans()),
    max_size=40)


def finish(job: RowFilter) -> list[TimelineEvent]:
    while not job.done:
        job.run(0.0)  # one chunk at a time
    return job.out


@settings(max_examples=300, deadline=None)
@given(rows=rows_st, typed=st.lists(st.tuples(texts, st.booleans(), st.integers(0, 3)), min_size=1, max_size=6),
       chunk=st.integers(1, 7))
def test_narrowing_finds_what_the_plain_filter_finds(rows, typed, chunk):
    RowFilter.CHUNK = chunk
    try:
        job: RowFilter | None = None
        needle, key_only = "", False
        for more, key_now, steps in typed:
            grown = needle + more.lower()
            key = key_only or key_now
            # Typed on before the last one finished: narrowed from its partial result.
            job = RowFilter(grown, [rows], key_only=key) if job is None else job.narrowed(grown, key_only=key)
            needle, key_only = grown, key
            for _ in range(steps):
                job.run(0.0)
        assert job is not None
        assert [id(e) for e in finish(job)] == [id(e) for e in plain(rows, needle, key_only)]
        made = job.texts()
        if made is not None:
            assert made == [search_text(e) for e in job.out]
    finally:
        RowFilter.CHUNK = 2_000


@settings(max_examples=200, deadline=None)
@given(rows=rows_st, grown=st.integers(0, 20), needle=texts, chunk=st.integers(1, 7))
def test_rows_added_while_filtering_are_looked_at(rows, grown, needle, chunk):
    """A big file's reader appends rows while a filter runs (`more`)."""
    RowFilter.CHUNK = chunk
    try:
        extra = [TimelineEvent(START, f"late {i} P", "Σ" if i % 2 else "", "", "other", i % 3 == 0)
                 for i in range(grown)]
        timeline = list(rows)
        job = RowFilter(needle.lower(), [timeline])
        job._seen = len(timeline)
        job.run(0.0)
        timeline.extend(extra[: grown // 2])
        job.more(timeline)
        job = job.narrowed(needle.lower() + "p")
        timeline.extend(extra[grown // 2 :])
        job.more(timeline)
        assert [id(e) for e in finish(job)] == [id(e) for e in plain(timeline, needle.lower() + "p", False)]
    finally:
        RowFilter.CHUNK = 2_000


def test_matches_is_the_rule_and_a_nul_needle_never_spans_fields():
    row = TimelineEvent(START, "ab", "cd", "", "other")
    assert matches(row, "ab") and matches(row, "other") and not matches(row, "bc")
    assert RowFilter("b\0c", [[row]]).texts() is None
    assert finish(RowFilter("b\0c", [[row]])) == []
    assert finish(RowFilter("", [[row]])) == [row]


@settings(max_examples=200, deadline=None)
@given(rows=rows_st, needle=texts, want=st.integers(0, 45), pick=st.integers(0, 39), chunk=st.integers(1, 7),
       first=st.integers(1, 9))
def test_a_first_screen_is_a_prefix_holding_the_wanted_rows(rows, needle, want, pick, chunk, first):
    """run(want=, until=): the rows found are the first of the plain result,
    at least `want` of them (or all) and the row `until` among them; the
    rest found later makes the same whole."""
    RowFilter.CHUNK, RowFilter.FIRST_CHUNK = chunk, first
    try:
        needle = needle.lower()
        expected = plain(rows, needle, False)
        until = expected[pick % len(expected)] if expected else None
        job = RowFilter(needle, [rows])
        job.run(None, want=want, until=until)
        found = [id(e) for e in job.out]
        assert found == [id(e) for e in expected[: len(found)]]
        assert len(found) >= min(want, len(expected))
        assert until is None or id(until) in found
        assert [id(e) for e in finish(job)] == [id(e) for e in expected]
    finally:
        RowFilter.CHUNK, RowFilter.FIRST_CHUNK = 2_000, 128


def test_a_first_screen_stops_once_found():
    rows = [TimelineEvent(START + timedelta(seconds=i), f"row {i}", kind="other") for i in range(10_000)]
    job = RowFilter("row", [rows])
    job.run(None, want=40)
    # The first chunk is FIRST_CHUNK rows: a screen's worth, not a budget's.
    assert 40 <= len(job.out) <= RowFilter.FIRST_CHUNK and not job.done
