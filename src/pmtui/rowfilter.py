"""The timeline's filter: the rows whose event, source, actor or kind holds
a text, found a slice of time at a time so a big timeline never blocks a
frame. No Textual.

`matches` is the rule, said once; `RowFilter` finds the same rows in the
same order faster. Each row it looks at gets a search text (its four
fields lowered, joined by NUL), kept beside the rows it found; a longer
needle narrows those rows and searches their kept texts, one `in` per row
instead of four lowerings and four `in`s (measured at 100,000 rows: 3.6-5 ms
for a whole pass instead of 8-16 ms). The texts live only as long as the
filter's results, which the pane drops on every change to the timeline,
so an edit, undo, insert or delete never meets a stale text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import compress, repeat
from operator import attrgetter, is_

from pmtui.model import TimelineEvent

_KEY = attrgetter("key")
SEP = "\0"


def matches(event: TimelineEvent, needle: str) -> bool:
    """Whether `event` shows under the filter `needle` (lower case)."""
    return (needle in event.event.lower() or needle in event.source.lower()
            or needle in event.actor.lower() or needle in event.kind.lower())


def search_text(event: TimelineEvent) -> str:
    """The four fields, each lowered on its own (as `matches` lowers them),
    joined by NUL: a needle without NUL is in it exactly when it is in one
    of the fields."""
    return f"{event.event.lower()}{SEP}{event.source.lower()}{SEP}{event.actor.lower()}{SEP}{event.kind.lower()}"


class RowFilter:
    """The rows of some lists, in order, whose event, source, actor or kind
    holds `needle` (lower case; "" holds every row), and with `key_only`
    only the key rows: found a slice of time at a time into `out` (with
    their search texts in `out_texts`; see `texts`). Rows appended to the
    timeline while the file is still being read are looked at too (`more`).

    The lists are read in place, never copied up front: the first pass over
    a freshly read 100,000-row timeline touches every row for the first
    time, and a copy of the list in the keystroke's frame cost 20-45 ms
    there (the same list copied again: 1-2 ms). Whoever changes the lists
    drops the filter (the pane starts a new one on every change)."""

    CHUNK = 2_000
    # The first chunk when only a first screen is wanted (`run(want=...)`):
    # 2,000 rows cost 0.5-0.65 ms at 100,000 (search texts made), 200 rows 0.06 ms.
    FIRST_CHUNK = 128

    def __init__(self, needle: str, sources: Sequence[Sequence[TimelineEvent]], *, key_only: bool = False,
                 texts: Sequence[Sequence[str | None] | None] | None = None) -> None:
        self.needle = needle
        self.key_only = key_only
        given = list(texts) if texts is not None else [None] * len(sources)
        # (rows, their search texts or None, first index, end): the rows still to look at
        self._spans: list[tuple[Sequence[TimelineEvent], Sequence[str | None] | None, int, int]] = [
            (s, t, 0, len(s)) for s, t in zip(sources, given, strict=True) if s]
        self.out: list[TimelineEvent] = []
        self.out_texts: list[str | None] = []
        self._k = 0  # the span being looked at
        self._pos = self._spans[0][2] if self._spans else 0  # and where in its rows
        self._seen = 0  # rows of the timeline handed over by `more`

    @property
    def done(self) -> bool:
        return self._k >= len(self._spans)

    def run(self, budget: float | None, *, want: int | None = None, until: TimelineEvent | None = None) -> None:
        """Look on for `budget` seconds (at least one chunk; None: no limit),
        and with `want` only until `out` holds that many rows and `until`
        (a row the caller knows will match: the one under the cursor) is
        among them: the first screen of a view needs a few dozen rows, so
        those chunks start small (FIRST_CHUNK rows, doubling up to CHUNK)."""
        deadline = time.perf_counter() + budget if budget is not None else float("inf")
        needle, out, out_texts = self.needle, self.out, self.out_texts
        # A NUL in the needle could span two fields of a search text.
        searchable = SEP not in needle
        size = self.CHUNK if want is None else min(self.CHUNK, self.FIRST_CHUNK)
        while self._k < len(self._spans):
            if want is not None and len(out) >= want and until is None:
                return
            rows, kept, _, end = self._spans[self._k]
            start = self._pos
            stop = min(start + size, end)
            size = min(self.CHUNK, 2 * size)
            chunk: Sequence[TimelineEvent] = rows[start:stop]
            self._pos = stop
            texts: list[str | None]
            if kept is not None:  # a text for every row (see `texts`)
                texts = list(kept[start:stop])
            elif needle and searchable:
                texts = [search_text(e) for e in chunk]
            else:
                texts = [None] * len(chunk)
            if self.key_only:
                flags = list(map(_KEY, chunk))
                chunk = list(compress(chunk, flags))
                texts = list(compress(texts, flags))
            if needle:
                hits = ([needle in t for t in texts] if searchable  # type: ignore[operator]  # all str here
                        else [matches(e, needle) for e in chunk])
                chunk = list(compress(chunk, hits))
                texts = list(compress(texts, hits))
            out.extend(chunk)
            out_texts.extend(texts)
            if until is not None and any(map(is_, chunk, repeat(until))):
                until = None
            if self._pos >= end:
                self._k += 1
                self._pos = self._spans[self._k][2] if self._k < len(self._spans) else 0
            if time.perf_counter() >= deadline:
                return

    def texts(self) -> list[str | None] | None:
        """The search texts of `out`, or None when this filter did not make
        them (no needle, or one holding NUL): what a filter given texts
        gets is a text for every row or none at all."""
        made = self.needle and SEP not in self.needle and len(self.out_texts) == len(self.out)
        return self.out_texts if made else None

    def narrowed(self, needle: str, *, key_only: bool = False) -> RowFilter:
        """A filter for a longer needle (or now the key rows only): what
        matched so far (with its search texts), then what this one has not
        looked at yet."""
        job = RowFilter(needle, [self.out], key_only=key_only or self.key_only, texts=[self.texts()])
        if not self.done:
            rows, kept, _, end = self._spans[self._k]
            job._spans.append((rows, kept, self._pos, end))
            job._spans.extend(self._spans[self._k + 1 :])
            job._pos = job._spans[0][2]
        job._seen = self._seen
        return job

    def more(self, events: list[TimelineEvent]) -> None:
        """The timeline grew (a big file still being read): look at the new rows too."""
        if len(events) > self._seen:
            if self.done:
                self._pos = self._seen
            self._spans.append((events, None, self._seen, len(events)))
            self._seen = len(events)
