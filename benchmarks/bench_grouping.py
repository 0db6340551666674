"""Log grouping: pmtui's templates against drain3, on the labelled corpus.

tests/data/logcorpus/corpus.jsonl holds 2,400+ lines in 15 real formats,
each labelled with its true template. For each format (a log of its own,
as Loghub evaluates) both parsers read the raw lines in order:

  pmtui   logsig.group_lines (stage 1 mask per line, stage 2 unify)
  drain3  TemplateMiner() with its default settings (no masking config)

and the benchmark prints, per format and overall:

  GA     Grouping Accuracy (Zhu et al., ICSE-SEIP 2019): a line is right
         iff the set of lines in its predicted group equals the set of
         lines of its true template
  mixed  share of predicted groups holding lines of two or more true
         templates (target: at most 1 %)
  lines/s of each parser over the whole corpus (best of --rounds)

Targets (issue 12): pmtui GA >= 0.95 and above drain3's; mixed <= 1 %.
Run: python benchmarks/bench_grouping.py [--rounds R] [--show-errors]
drain3 comes with the `bench` extra: pip install -e '.[bench]'
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from pmtui.sources.logsig import group_lines

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "logcorpus" / "corpus.jsonl"


def load(path: Path = CORPUS) -> dict[str, list[tuple[str, str]]]:
    by_format: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            row = json.loads(raw)
            by_format[row["format"]].append((row["template"], row["line"]))
    return dict(by_format)


def grouping_accuracy(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, int, int]:
    """(GA, predicted groups, predicted groups mixing true templates)."""
    lines_of_true: dict[str, set[int]] = defaultdict(set)
    lines_of_pred: dict[str, set[int]] = defaultdict(set)
    for i, (t, p) in enumerate(zip(truth, predicted, strict=True)):
        lines_of_true[t].add(i)
        lines_of_pred[p].add(i)
    right = 0
    mixed = 0
    for members in lines_of_pred.values():
        trues = {truth[i] for i in members}
        if len(trues) > 1:
            mixed += 1
        elif lines_of_true[next(iter(trues))] == members:
            right += len(members)
    return right / len(truth), len(lines_of_pred), mixed


def pmtui_groups(lines: Sequence[str]) -> list[str]:
    return group_lines(((None, line) for line in lines), assign=True).template_of_line


def drain3_groups(lines: Sequence[str]) -> list[str]:
    from drain3 import TemplateMiner

    miner = TemplateMiner()
    return [str(miner.add_log_message(line)["cluster_id"]) for line in lines]


def _quiet_drain3() -> None:
    import logging

    logging.getLogger("drain3").setLevel(logging.ERROR)


def timed(fn: Callable[[Sequence[str]], list[str]], logs: dict[str, list[tuple[str, str]]],
          rounds: int) -> tuple[dict[str, list[str]], float]:
    best = float("inf")
    out: dict[str, list[str]] = {}
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = {name: fn([line for _, line in rows]) for name, rows in logs.items()}
        best = min(best, time.perf_counter() - t0)
    return out, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--show-errors", action="store_true", help="print the groups pmtui gets wrong")
    args = ap.parse_args(argv)
    logs = load()
    total = sum(len(rows) for rows in logs.values())
    _quiet_drain3()
    ours, t_ours = timed(pmtui_groups, logs, args.rounds)
    try:
        theirs, t_theirs = timed(drain3_groups, logs, args.rounds)
    except ImportError:
        print("drain3 is not installed (pip install drain3): pmtui alone", file=sys.stderr)
        theirs, t_theirs = {}, float("nan")
    print(f"corpus: {total} lines, {len(logs)} formats, "
          f"{sum(len({t for t, _ in rows}) for rows in logs.values())} true templates")
    print(f"{'format':<14}{'lines':>6}{'tmpl':>6} | {'pmtui GA':>9}{'groups':>7}{'mixed':>6} | "
          f"{'drain3 GA':>9}{'groups':>7}{'mixed':>6}")
    sums = Counter[str]()
    for name, rows in logs.items():
        truth = [t for t, _ in rows]
        ga, groups, mixed = grouping_accuracy(truth, ours[name])
        sums.update({"right": round(ga * len(rows)), "groups": groups, "mixed": mixed})
        line = f"{name:<14}{len(rows):>6}{len(set(truth)):>6} | {ga:>9.3f}{groups:>7}{mixed:>6} | "
        if name in theirs:
            dga, dgroups, dmixed = grouping_accuracy(truth, theirs[name])
            sums.update({"dright": round(dga * len(rows)), "dgroups": dgroups, "dmixed": dmixed})
            line += f"{dga:>9.3f}{dgroups:>7}{dmixed:>6}"
        print(line)
        if args.show_errors:
            _show_errors(rows, ours[name])
    ga_all = sums["right"] / total
    mixed_share = sums["mixed"] / max(1, sums["groups"])
    print(f"{'overall':<20}{'':>6} | {ga_all:>9.3f}{sums['groups']:>7}{sums['mixed']:>6} | ", end="")
    if theirs:
        print(f"{sums['dright'] / total:>9.3f}{sums['dgroups']:>7}{sums['dmixed']:>6}")
    else:
        print()
    print(f"pmtui: GA {ga_all:.3f}, {mixed_share:.1%} of groups mixed, {total / t_ours:,.0f} lines/s")
    if theirs:
        drain_mixed = sums["dmixed"] / max(1, sums["dgroups"])
        print(f"drain3: GA {sums['dright'] / total:.3f}, {drain_mixed:.1%} of groups mixed, "
              f"{total / t_theirs:,.0f} lines/s")
    ok = ga_all >= 0.95 and mixed_share <= 0.01 and (not theirs or ga_all > sums["dright"] / total)
    print("targets (GA >= 0.95, above drain3, mixed <= 1 %):", "met" if ok else "NOT met")
    return 0


def _show_errors(rows: list[tuple[str, str]], predicted: list[str]) -> None:
    by_pred: dict[str, list[int]] = defaultdict(list)
    by_true: dict[str, list[int]] = defaultdict(list)
    for i, ((t, _), p) in enumerate(zip(rows, predicted, strict=True)):
        by_pred[p].append(i)
        by_true[t].append(i)
    for p, members in by_pred.items():
        trues = {rows[i][0] for i in members}
        if len(trues) > 1 or set(by_true[next(iter(trues))]) != set(members):
            print(f"    pred {p!r} ({len(members)} lines) <- {sorted(trues)}")


if __name__ == "__main__":
    sys.exit(main())
