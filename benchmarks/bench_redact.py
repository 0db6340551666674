"""Redaction: recall over real secret shapes, false positives over ordinary
log lines, and throughput, side by side with a baseline redactor when one
is given (an older redact.py, e.g. `git show e633ed3:src/pmtui/redact.py`).

- recall: positives (tests/data/secrets/positives.jsonl) of which no secret
  part, nor any 8-character run of one, survives `redact` and `redact_bytes`
  and the stream (cut into 7-byte chunks) and the line redactor;
- false positives: negative lines (tests/data/secrets/negatives.log) that
  redaction changes at all;
- throughput: `redact_bytes` over a log of negatives with 1 % positives
  mixed in, in 1 MiB chunks through `stream`, MB/s (best of --rounds; the
  redactors' rounds interleaved, so machine load hits them alike);
- with --ingest: the same stream over benchmarks/bench_ingest.py's pod log
  (1,000,000 kubelet-timestamped lines, ~140 MB), as `pmtui collect` writes
  a pod log's evidence.

Targets (issue 16): recall >= 99 %, false positives <= 0.5 %; throughput at
least the hand-written redactor's (the baseline, e.g.
`git show f93d9dc:src/pmtui/redact.py > /tmp/old_redact.py`).

    python benchmarks/bench_redact.py [--megabytes 20] [--rounds 3] [--baseline OLD_redact.py] [--show]
                                      [--ingest [--lines 1000000]]
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import random
import re
import sys
import time
from pathlib import Path
from types import ModuleType

from pmtui.redact import Redactor

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "secrets"
RUN = 8


def positives() -> list[tuple[str, str, list[str]]]:
    out = []
    for line in (DATA / "positives.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if "kind" in case:
            out.append((case["kind"], base64.b64decode(case["text_b64"]).decode(),
                        [base64.b64decode(s).decode() for s in case["secrets_b64"]]))
    return out


def negatives() -> list[str]:
    return (DATA / "negatives.log").read_text(encoding="utf-8").splitlines()


_MARK = re.compile("\u00abredacted:[^\u00bb]*\u00bb")


def leaked(out: str, secrets: list[str]) -> bool:
    out = _MARK.sub("\u00ab\u00bb", out)  # a rule's name is no leak ("rubygems" in rubygems-api-token)
    for secret in secrets:
        if secret in out:
            return True
        if any(secret[i : i + RUN] in out for i in range(len(secret) - RUN + 1)):
            return True
    return False


def outputs(redactor, text: str) -> list[str]:
    data = text.encode()
    outs = [redactor.redact(text), redactor.redact_bytes(data).decode()]
    if hasattr(redactor, "stream"):
        chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
        outs.append(b"".join(redactor.stream(chunks)).decode())
    if hasattr(redactor, "lines"):
        lines = redactor.lines()
        outs.append("\n".join(lines.redact_line(x).decode() for x in data.split(b"\n")))
    return outs


def quality(redactor) -> tuple[float, float, list[str], list[str]]:
    pos = positives()
    missed = [f"{kind}: {text[:100]!r}" for kind, text, secrets in pos
              if any(leaked(out, secrets) for out in outputs(redactor, text))]
    neg = negatives()
    flagged = [line for line in neg if redactor.redact(line) != line]
    recall = 1 - len(missed) / len(pos)
    fp = len(flagged) / len(neg)
    return recall, fp, missed, flagged


def log_bytes(megabytes: float) -> bytes:
    rng = random.Random(7)
    neg, pos = negatives(), [text for _, text, _ in positives()]
    lines: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        line = rng.choice(pos) if rng.random() < 0.01 else rng.choice(neg)
        lines.append(line)
        size += len(line) + 1
    return ("\n".join(lines) + "\n").encode()


def throughputs(redactors: list, data: bytes, rounds: int) -> list[float]:
    """MB/s of each redactor's stream over `data` in 1 MiB chunks, best of
    `rounds`, the redactors taking turns within each round."""
    chunks = [data[i : i + (1 << 20)] for i in range(0, len(data), 1 << 20)]
    best = [float("inf")] * len(redactors)
    for _ in range(rounds):
        for n, redactor in enumerate(redactors):
            start = time.perf_counter()
            for _out in redactor.stream(chunks):
                pass
            best[n] = min(best[n], time.perf_counter() - start)
    return [len(data) / b / 1e6 for b in best]


def ingest(rows: list[tuple[str, object, float]], lines: int, rounds: int) -> None:
    """The stream over bench_ingest.py's pod log, read from disk as collect reads it."""
    import os
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_ingest import generate

    with tempfile.TemporaryDirectory(prefix="pmtui-bench-") as tmp:
        path = os.path.join(tmp, "pod.log")
        size = generate(path, lines)
        best = [float("inf")] * len(rows)
        changed = [0] * len(rows)
        for _ in range(rounds):
            for n, (_name, redactor, _ms) in enumerate(rows):
                start = time.perf_counter()
                out = 0
                with open(path, "rb") as f:
                    for piece in redactor.stream(iter(lambda f=f: f.read(1 << 20), b"")):
                        out += piece.count(b"\xc2\xabredacted:")
                best[n] = min(best[n], time.perf_counter() - start)
                changed[n] = out
        print(f"pod log of bench_ingest.py: {lines:,} lines, {size / 1e6:.1f} MB, read in 1 MiB chunks, "
              f"best of {rounds}")
        for (name, _redactor, _ms), seconds, marks in zip(rows, best, changed, strict=True):
            print(f"{name:<10} {seconds:>7.2f} s {size / seconds / 1e6:>7.1f} MB/s "
                  f"{lines / seconds / 1e6:>6.2f} M lines/s  {marks:,} redactions")


def load_baseline(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_redact", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_redact"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="an older redact.py to compare against")
    parser.add_argument("--show", action="store_true", help="list the misses and false positives")
    parser.add_argument("--ingest", action="store_true", help="also stream bench_ingest.py's pod log")
    parser.add_argument("--lines", type=int, default=1_000_000, help="lines of that log")
    args = parser.parse_args()

    start = time.perf_counter()
    current = Redactor()
    current.redact("warm up: token=x")
    current.redact_bytes(b"warm up: token=x")
    ready = (time.perf_counter() - start) * 1e3
    rows = [("current", current, ready)]
    if args.baseline:
        start = time.perf_counter()
        old = load_baseline(args.baseline).Redactor()
        old.redact("warm up")
        old.redact_bytes(b"warm up")
        rows.append(("baseline", old, (time.perf_counter() - start) * 1e3))
    data = log_bytes(args.megabytes)
    n_pos, n_neg = len(positives()), len(negatives())
    print(f"corpus: {n_pos} positives, {n_neg} negative lines; throughput over {len(data) / 1e6:.1f} MB "
          f"(1 % positives), best of {args.rounds}")
    speeds = throughputs([redactor for _, redactor, _ in rows], data, args.rounds)
    print(f"{'redactor':<10} {'recall':>8} {'false pos':>10} {'MB/s':>8} {'ready ms':>9}")
    for (name, redactor, ms), speed in zip(rows, speeds, strict=True):
        recall, fp, missed, flagged = quality(redactor)
        print(f"{name:<10} {recall:>8.1%} {fp:>10.2%} {speed:>8.1f} {ms:>9.1f}")
        if args.show:
            for m in missed:
                print(f"    missed  {m}")
            for f in flagged:
                print(f"    flagged {f[:160]!r} -> {redactor.redact(f)[:160]!r}")
    if len(speeds) == 2:
        print(f"throughput current / baseline: {speeds[0] / speeds[1]:.2f}x (target >= 1.0x)")
    print("targets: recall >= 99 %, false positives <= 0.5 %")
    if args.ingest:
        ingest(rows, args.lines, args.rounds)


if __name__ == "__main__":
    main()
