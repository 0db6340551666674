"""Related incidents: the `related` ids a file names, resolved against the
library, and suggestions ranked by what two incidents share — services,
contributing-factor categories, alert names, log signatures and the words
of the root cause (and trigger), each weighted by how rare it is in the
library, so "api-service" shared by half the incidents counts for less
than an alert seen twice."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from pmtui.library.similar import words
from pmtui.library.summary import Summary

# How much one shared thing of each kind is worth before rarity.
WEIGHTS = {"alert": 3.0, "signature": 3.0, "service": 1.5, "category": 1.0, "word": 0.6}


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str
    score: float
    reasons: tuple[str, ...]  # "alert HighErrorRate", "service checkout", "root cause: pool, index"

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "score": round(self.score, 3), "reasons": list(self.reasons)}


def _features(s: Summary) -> dict[str, set[str]]:
    return {
        "alert": set(s.alerts),
        "signature": set(s.signatures),
        "service": {v.strip().lower() for v in s.services if v.strip()},
        "category": {c for _i, c, _t in s.factors if c and c != "other"},
        "word": set(words(f"{s.root_cause} {s.trigger}")),
    }


class Index:
    """Features of every incident of a library, for ranking."""

    def __init__(self, summaries: list[Summary]) -> None:
        self.summaries = [s for s in summaries if s.id]
        self.features = [_features(s) for s in self.summaries]
        self.df: dict[str, Counter[str]] = {k: Counter() for k in WEIGHTS}
        for f in self.features:
            for kind, values in f.items():
                self.df[kind].update(values)
        self.n = max(1, len(self.summaries))
        self.by_id = {s.id: s for s in self.summaries}

    def _idf(self, kind: str, value: str) -> float:
        return math.log(1 + self.n / max(1, self.df[kind][value]))

    def suggest(self, target: Summary, *, limit: int = 5, min_score: float = 1.0) -> list[Suggestion]:
        mine = _features(target)
        already = set(target.related) | {target.id}
        out = []
        for s, f in zip(self.summaries, self.features, strict=True):
            if s.id in already:
                continue
            score, reasons = 0.0, []
            for kind, weight in WEIGHTS.items():
                shared = sorted(mine[kind] & f[kind])
                if not shared:
                    continue
                score += sum(weight * self._idf(kind, v) for v in shared)
                if kind == "word":
                    reasons.append("root cause: " + ", ".join(shared[:4]))
                else:
                    reasons.extend(f"{kind} {v}" for v in shared[:3])
            if score >= min_score:
                out.append(Suggestion(s.id, s.title, score, tuple(reasons)))
        out.sort(key=lambda x: (-x.score, x.id))
        return out[:limit]

    def resolve(self, ids: tuple[str, ...] | list[str]) -> list[tuple[str, Summary | None]]:
        """Each related id with its incident, None for an id the library
        does not hold (kept: it may live in another repository)."""
        return [(i, self.by_id.get(i)) for i in ids]
