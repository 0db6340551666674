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
from datetime import datetime

from pmtui import blame, checks
from pmtui.model import PostMortem
from pmtui.team import policy
from pmtui.team.config import TeamConfig

BLAME_ID = "language.blameless"
# Prose fields checks.prose_fields yields before the timeline's events.
_BEFORE_TIMELINE = {"header", "summary", "impact", "root_cause"}


class LiveChecks:
    def __init__(self, limit: int = 50_000, team: TeamConfig | None = None) -> None:
        self._spans: dict[str, tuple] = {}
        self._limit = limit
        self._team = team or TeamConfig()
        self._people: blame.People | None = None

    def _timeline_spans(self, texts: list[str], people: blame.People) -> list[tuple]:
        """The blame spans of each event text: remembered ones as they are,
        the others in one batch (checks.blame_spans_many). Kept as tuples:
        100,000 texts without blame share the empty one, and nothing new
        for the collector to walk."""
        memory = self._spans
        new = [t for t in dict.fromkeys(texts) if t not in memory]
        if new:
            for text, spans in zip(new, checks.blame_spans_many(new, people), strict=True):
                memory[text] = tuple(spans)
        return [memory[t] for t in texts]

    def run(self, pm: PostMortem, now: datetime) -> list[checks.CheckResult]:
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
            if cid == BLAME_ID:
                results.extend(self._blame(pm, now, people))
            else:
                results.extend(fn(pm, now))
        results.extend(policy.team_results(pm, self._team, now))
        return results

    def _blame(self, pm: PostMortem, now: datetime, people: blame.People) -> list[checks.CheckResult]:
        light = copy.copy(pm)
        light.timeline = []
        rest = [r for r in checks.check_blame(light, now, people) if r.result != checks.PASS]
        in_timeline = [
            checks.CheckResult(BLAME_ID, checks.FAIL, f"{checks.event_place(ev)}: blame language {phrase!r}",
                               "timeline", i,
                               hint)
            for (i, ev), spans in zip(enumerate(pm.timeline),
                                      self._timeline_spans([ev.event for ev in pm.timeline], people), strict=True)
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
