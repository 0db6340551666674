"""The labelled blame corpus (tests/data/blame_corpus.toml) and how a lint
scores on it; tests reach it through the blame_corpus fixture
(benchmarks/bench_blame_lint.py reads the same file)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "data" / "blame_corpus.toml"


@dataclass(frozen=True)
class Case:
    text: str
    blame: bool
    where: str
    part: str


class Corpus:
    """What the fixture hands a test: .people, .cases, .score(cases, flags)."""

    def __init__(self) -> None:
        self.people, self.cases = load()

    score = staticmethod(lambda cases, flags: score(cases, flags))


def load() -> tuple[list[str], list[Case]]:
    data = tomllib.loads(CORPUS.read_text(encoding="utf-8"))
    cases = [Case(c["text"], c["blame"], c.get("where", "prose"), c.get("part", "dev")) for c in data["case"]]
    return data["people"], cases


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int
    misses: tuple[str, ...]
    false_alarms: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        return (f"{name:<28} precision {self.precision:6.1%}  recall {self.recall:6.1%}  "
                f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})")


def score(cases: list[Case], flags: Callable[[str], bool]) -> Score:
    tp = fp = fn = tn = 0
    misses, alarms = [], []
    for c in cases:
        hit = flags(c.text)
        if hit and c.blame:
            tp += 1
        elif hit:
            fp += 1
            alarms.append(c.text)
        elif c.blame:
            fn += 1
            misses.append(c.text)
        else:
            tn += 1
    return Score(tp, fp, fn, tn, tuple(misses), tuple(alarms))
