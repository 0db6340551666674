"""The checklist, re-run after every edit without re-reading 10,000 events.

`checks.run` is linear in the timeline, and nearly all of that is the
blame lint: ~0.3 s at 10,000 events here, in a thread that still competes
with the UI for the interpreter. LiveChecks gives the same results as the
team's checklist (team.policy.run; a test holds it to that) but remembers
the blame phrases found in each event text, so an edit re-scans only the
texts it changed. The phrases depend on who the people are: a change of
names (an author added) starts the memory afresh.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pmtui import blame, checks
from pmtui.model import PostMortem
from pmtui.team import policy
from pmtui.team.config import TeamConfig

BLAME_ID = "language.blameless"
# Prose fields checks.prose_fields yields before the timeline's events.
_BEFORE_TIMELINE = {"header", "summary", "impact", "root_cause"}
# How long results stay good for the revision they were run on: the clock
# moves what is overdue, so results older than this are run again.
FRESH_SECONDS = 60.0
# Event texts scanned for blame between two pauses (~8 ms cold at 5,000).
PAUSE_TEXTS = 5_000

Pause = Callable[[], None]


def _no_pause() -> None:
    pass

_LISTS = ("timeline", "whys", "factors", "actions", "systemic_issues", "went_well", "went_wrong",
          "lucky", "lessons", "gaps", "evidence", "authors", "reviewers", "services")


def snapshot(pm: PostMortem) -> PostMortem:
    """A copy a worker thread can read while the app keeps editing: every
    list copied (references only, so 10,000 events cost microseconds); the
    rows themselves are shared, and edits replace their fields whole."""
    snap = copy.copy(pm)
    for name in _LISTS:
        setattr(snap, name, list(getattr(pm, name)))
    snap.times = copy.copy(pm.times)
    snap.impact = copy.copy(pm.impact)
    return snap


class LiveChecks:
    def __init__(self, limit: int = 50_000, team: TeamConfig | None = None) -> None:
        self._spans: dict[str, tuple] = {}
        self._limit = limit
        self._team = team or TeamConfig()
        self._people: blame.People | None = None

    def _timeline_spans(self, texts: list[str], people: blame.People, pause: Pause) -> list[tuple]:
        """The blame spans of each event text: remembered ones as they are,
        the others in batches (checks.blame_spans_many). Kept as tuples:
        100,000 texts without blame share the empty one, and nothing new
        for the collector to walk."""
        memory = self._spans
        new = [t for t in dict.fromkeys(texts) if t not in memory]
        for lo in range(0, len(new), PAUSE_TEXTS):
            pause()
            batch = new[lo : lo + PAUSE_TEXTS]
            for text, spans in zip(batch, checks.blame_spans_many(batch, people), strict=True):
                memory[text] = tuple(spans)
        return [memory[t] for t in texts]

    def run(self, pm: PostMortem, now: datetime, pause: Pause = _no_pause) -> list[checks.CheckResult]:
        """The checklist's results; `pause` is called between one check and
        the next (and between batches of event texts): a runner in the
        background waits there while the UI is busy."""
        people = policy.team_people(pm, self._team)
        if people is not self._people:
            self._spans.clear()  # other names: other findings
            self._people = people
        if len(self._spans) > max(self._limit, 2 * len(pm.timeline)):
            self._spans.clear()  # texts edited away; bound the memory
        results: list[checks.CheckResult] = []
        disabled = self._team.checks.disable
        for cid, _title, fn in policy.base_checks(self._team, pm):
            if cid in disabled:
                continue
            pause()
            if cid == BLAME_ID:
                results.extend(self._blame(pm, now, people, pause))
            else:
                results.extend(fn(pm, now))
        pause()
        results.extend(policy.team_results(pm, self._team, now))
        return results

    def _blame(self, pm: PostMortem, now: datetime, people: blame.People, pause: Pause) -> list[checks.CheckResult]:
        light = copy.copy(pm)
        light.timeline = []
        rest = [r for r in checks.check_blame(light, now, people) if r.result != checks.PASS]
        in_timeline = [
            checks.CheckResult(BLAME_ID, checks.FAIL, f"{checks.event_place(ev)}: blame language {phrase!r}",
                               "timeline", i,
                               hint)
            for (i, ev), spans in zip(enumerate(pm.timeline),
                                      self._timeline_spans([ev.event for ev in pm.timeline], people, pause),
                                      strict=True)
            for _start, _end, phrase, hint in spans
        ]
        if not rest and not in_timeline:
            return checks.check_blame(light, now, people)  # the single "pass" result
        before: list[checks.CheckResult] = []
        after: list[checks.CheckResult] = []
        for r in rest:
            early = r.section in _BEFORE_TIMELINE or (r.section == "factors" and r.row is None)
            (before if early else after).append(r)
        return before + in_timeline + after


@dataclass(frozen=True)
class Ran:
    """The results of one run, and which revision of the session it read."""

    revision: int
    at: float  # time.monotonic()
    results: list[checks.CheckResult]


class SharedChecks:
    """One LiveChecks for the whole app, safe to run from any thread (one
    run at a time), remembering its last results: the app runs it once
    while idle after the file is open, so the Report pane's first showing
    finds the checklist done instead of starting a 165 ms (100,000 events,
    blame memory cold) thread that halves the UI thread's share of the
    interpreter while the pane lays itself out (pane switch 68-81 ms
    blocked, of which 26 ms waiting for the interpreter)."""

    def __init__(self, team: TeamConfig | None = None) -> None:
        self._live = LiveChecks(team=team)
        self._lock = threading.Lock()
        self.last: Ran | None = None

    def run(self, pm: PostMortem, revision: int, now: datetime,
            pause: Pause = _no_pause) -> list[checks.CheckResult]:
        with self._lock:
            results = self._live.run(pm, now, pause)
            last = self.last
            if last is None or revision >= last.revision:
                self.last = Ran(revision, time.monotonic(), results)
        return results

    def fresh(self, revision: int) -> Ran | None:
        """The last results when they were run on `revision` less than
        FRESH_SECONDS ago."""
        last = self.last
        if last is None or last.revision != revision or time.monotonic() - last.at > FRESH_SECONDS:
            return None
        return last

