"""One candidate per happening.

Sources say the same thing several times: an alert's firing is in
Prometheus's ALERTS series and in Alertmanager; a container restart is in
the pod's status, in the events (Killing, OOMKilling, Started) and in
kube-state-metrics' restart counter; one log message is on every pod. And
the timeline may already hold a row, typed by hand, that says it.

## The API (every source, those of issue 13 included)

A source sets, on each Candidate it returns:

    key        what the happening is, the same whichever source saw it:
               ("alert", name, state), ("restart", namespace, pod, container),
               ("backoff", namespace, pod, container), ("log", template),
               ("rollout", namespace, deployment, revision), ("silence", id)...
               () for a happening only this candidate can describe.
    tolerance  seconds: candidates of one key whose times lie within it of
               each other (chained) are one happening; two restarts of one
               pod seven minutes apart stay two.
    precision  how exact its time is (3 an API's own timestamp, 2 a log
               line, 1 a sample or an estimate): the merged row takes the
               most exact time, and the words of the most exact source.
    refs       its evidence references; signal, confidence, detail.

and then `merge(candidates)` joins them; nothing else is ever joined (two
candidates without a key only when they are the same text at the same
second). A merged candidate lists every source (`sources`, and `also_in`
for the ones whose words it does not show) and keeps every evidence
reference. `known(timeline, candidates)` splits off the candidates a
timeline row already says (same happening: close in time, the same
subject words, no contrary state), and `flag_trigger` marks the earliest
change or new log template before the first symptom.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pmtui.model import TimelineEvent
from pmtui.sources.base import Candidate

_SPACE_RE = re.compile(r"\s+")


def _second(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(microsecond=0)


def _plain(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip().casefold()


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per happening (see the module's docstring), in time order."""
    by_key: dict[tuple[str, ...], list[Candidate]] = defaultdict(list)
    loose: dict[tuple[datetime, str], list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.key:
            by_key[c.key].append(c)
        else:
            loose[(_second(c.time), _plain(c.event))].append(c)
    out: list[Candidate] = []
    for group in by_key.values():
        group.sort(key=lambda c: c.time)
        clusters: list[list[Candidate]] = []
        for c in group:
            home = next((cl for cl in clusters if _joins(cl, c)), None)
            if home is None:
                clusters.append([c])
            else:
                home.append(c)
        out += [_join(cl) for cl in clusters]
    out += [_join(group) for group in loose.values()]
    out.sort(key=lambda c: (c.time, c.event))
    return out


def _joins(cluster: list[Candidate], c: Candidate) -> bool:
    """Within tolerance of the cluster's latest member, and no label of it
    contradicting any member's."""
    last = cluster[-1]
    if (c.time - last.time).total_seconds() > max(c.tolerance, last.tolerance):
        return False
    return all(m.facets.get(k, v) == v for m in cluster for k, v in c.facets.items())


def _join(cluster: list[Candidate]) -> Candidate:
    if len(cluster) == 1:
        c = cluster[0]
        c.sources = list(dict.fromkeys(c.sources or [c.source]))
        return c
    # The most exact time (among equals the earliest); the words of the
    # surest source (among equals the most exact, then the first given).
    timed = max(cluster, key=lambda c: (c.precision, -c.time.timestamp(), -cluster.index(c)))
    best = max(cluster, key=lambda c: (c.confidence, c.precision, -cluster.index(c)))
    sources: list[str] = []
    refs: list[str] = []
    for c in [best, *cluster]:
        sources += [s for s in (c.sources or [c.source]) if s not in sources]
        refs += [r for r in c.refs if r not in refs]
    merged = Candidate(
        time=timed.time, event=best.event, source=best.source, kind=best.kind,
        actor=next((c.actor for c in [best, *cluster] if c.actor), ""), evidence=refs[0] if refs else "",
        signal=best.signal, confidence=min(0.95, max(c.confidence for c in cluster) + 0.05 * (len(sources) - 1)),
        key=best.key, tolerance=best.tolerance, refs=refs, sources=sources,
        also_in=[s for s in sources if s != best.source], trigger=any(c.trigger for c in cluster),
        detail=best.detail or next((c.detail for c in cluster if c.detail), ""), precision=timed.precision,
        facets={k: v for c in cluster for k, v in c.facets.items()},
        flag=next((c.flag for c in cluster if c.flag), ""),
        sets=next((c.sets for c in sorted(cluster, key=lambda c: c.time) if c.sets), ""))
    return merged


# -- what the timeline already says ------------------------------------------------------

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_STOP = frozenset({
    "a", "an", "the", "of", "on", "in", "to", "at", "is", "are", "was", "be", "and", "or", "for", "from", "by",
    "with", "as", "it", "its", "vs", "than", "then", "into", "first", "new", "baseline", "alert", "alerts", "line",
    "lines", "until", "last", "times", "ms",
})
# Words naming a state or a direction: two texts whose states differ are
# two happenings, whatever else they share.
_STATES = {
    "fire": "fire", "fir": "fire", "start": "fire", "trigger": "fire", "open": "fire",
    "pend": "pending",
    "resolv": "resolve", "return": "resolve", "recover": "resolve", "clear": "resolve", "close": "resolve",
    "normal": "resolve", "back": "resolve",
    "ris": "up", "rise": "up", "ros": "up", "increas": "up", "spik": "up", "climb": "up", "exceed": "up",
    "above": "up", "peak": "up",
    "fell": "down", "fall": "down", "drop": "down", "decreas": "down", "below": "down",
}
_WEAK = frozenset({"error", "fail", "high", "low", "rate", "ratio", "api", "service", "pod", "container",
                   "kubernetes", "prometheus", "alertmanager"})
_IRREGULAR = {"rose": "ris", "fell": "fall", "ran": "run", "began": "start", "went": "go"}


def _stem(word: str) -> str:
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def words(text: str) -> set[str]:
    """The stems of a text's words (CamelCase split, the whole name kept)."""
    out: set[str] = set()
    for m in _WORD_RE.finditer(text):
        word = m.group()
        parts = _CAMEL_RE.split(word)
        if len(parts) > 1:
            out.add(word.lower())
        for part in parts:
            if part.lower() not in _STOP and len(part) > 1:
                out.add(_stem(part))
    return out


_STATES = {_stem(word): state for word, state in _STATES.items()} | _STATES


def _states(stems: set[str]) -> set[str]:
    return {_STATES[s] for s in stems if s in _STATES}


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    row: TimelineEvent


def says_same(row: TimelineEvent, c: Candidate) -> bool:
    """Does the timeline row already say what the candidate says? Close in
    time (closer the fewer words they share), the same subject, and no
    contrary state (a pending alert is not its firing)."""
    dt = abs((row.time - c.time).total_seconds())
    if dt > 120:
        return False
    if _second(row.time) == _second(c.time) and _plain(row.event) == _plain(c.event):
        return True
    a = words(c.detail or c.event)
    b = words(row.event)
    sa, sb = _states(a), _states(b)
    if sa and sb and not sa & sb:
        return False
    common = (a & b) - set(_STATES)
    strong = common - _WEAK
    if not a:
        return False
    share = len(common) / len(a - set(_STATES) or a)
    if dt <= 5:
        return len(strong) >= 2 or (len(strong) >= 1 and share >= 0.5)
    return len(strong) >= 2 and share >= 0.5


def known(timeline: list[TimelineEvent], candidates: list[Candidate]) -> tuple[list[Candidate], list[Match]]:
    """(candidates no row says yet, [(candidate, the row that says it)])."""
    rows = sorted(timeline, key=lambda e: e.time)
    times = [r.time for r in rows]
    import bisect

    fresh: list[Candidate] = []
    matched: list[Match] = []
    for c in candidates:
        lo = bisect.bisect_left(times, c.time - timedelta(seconds=120))
        hi = bisect.bisect_right(times, c.time + timedelta(seconds=120))
        row = next((r for r in rows[lo:hi] if says_same(r, c)), None)
        if row is None:
            fresh.append(c)
        else:
            c.also_in = [*c.also_in, f"timeline {row.time:%H:%M:%S}"]
            matched.append(Match(c, row))
    return fresh, matched


# -- the possible trigger ---------------------------------------------------------------

CHANGE_SIGNALS = frozenset({"rollout", "rollback", "config", "scaling", "change", "log-new", "flag", "job"})
SYMPTOM_SIGNALS = frozenset({"alert", "metric", "log", "log-rate", "restart", "backoff", "event"})
LOOKBACK = timedelta(minutes=30)


def first_symptom(candidates: list[Candidate], timeline: list[TimelineEvent] | None = None) -> datetime | None:
    times = [c.time for c in candidates if c.signal in SYMPTOM_SIGNALS and c.kind in ("symptom", "detection")]
    times += [r.time for r in timeline or [] if r.kind in ("symptom", "detection")]
    return min(times, default=None)


def flag_trigger(candidates: list[Candidate], timeline: list[TimelineEvent] | None = None) -> Candidate | None:
    """Mark the earliest change or new template that comes before the first
    symptom (within LOOKBACK of it) as the possible trigger; returns it."""
    first = first_symptom(candidates, timeline)
    if first is None:
        return None
    before = [c for c in candidates if c.signal in CHANGE_SIGNALS and first - LOOKBACK <= c.time <= first]
    if not before:
        return None
    # A deploy or config change beats a new log line at about the same time.
    trigger = min(before, key=lambda c: (c.time, c.signal == "log-new"))
    trigger.trigger = True
    trigger.confidence = max(trigger.confidence, 0.6)
    return trigger


def ranked(candidates: list[Candidate]) -> list[Candidate]:
    """The possible trigger first, then time order."""
    return sorted(candidates, key=lambda c: (not c.trigger, c.time))
