"""Open and save times for post-mortem files of 1,000 and 10,000 timeline
events, beside tomllib and tomlkit on the same text.

    python benchmarks/bench_store.py [--repeat N]

Targets on the 2-core development machine: open a 10,000-event file in
under 0.5 s, save after one edit in under 0.3 s. The machine is shared, so
the ratios measured side by side in one run are the figures to trust.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pmtui import model as m
from pmtui import store


def build(events: int) -> m.PostMortem:
    start = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
    pm = m.PostMortem(id="PM-2025-02-09-api", title="API degradation", severity="SEV2")
    pm.summary = "Connection pool exhaustion made the API return 5xx for 35 minutes.\nSecond line."
    pm.times.started = start
    pm.times.resolved = start + timedelta(seconds=events)
    kinds = m.EVENT_KINDS
    pm.timeline = [
        m.TimelineEvent(
            start + timedelta(seconds=i, milliseconds=i % 1000),
            f'event {i}: pool at {i % 20}/20 "busy" — naïve café',
            "app logs",
            "@alice" if i % 7 == 0 else "",
            kinds[i % len(kinds)],
        )
        for i in range(events)
    ]
    pm.whys = [m.Why(f"W{i}", f"why {i}", f"W{i - 1}" if i > 1 else "") for i in range(1, 6)]
    pm.factors = [m.Factor("F1", "no index", "testing", "W3")]
    pm.actions = [m.ActionItem("AI-001", "Add an index", owner="@bob", priority="high", factor="F1")]
    return pm


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-tomlkit", action="store_true", help="skip the (slow) tomlkit.parse figure")
    args = parser.parse_args()
    import tomlkit

    with tempfile.TemporaryDirectory() as tmp:
        for events in (1_000, 10_000):
            path = Path(tmp) / f"pm-{events}.toml"
            store.save(store.new_document(build(events), path))
            text = path.read_text(encoding="utf-8")

            t_load = best(lambda: store.load(path), args.repeat)
            t_tomllib = best(lambda: tomllib.loads(text), args.repeat)

            def edit_and_save() -> None:
                doc = store.load(path)
                row = doc.pm.timeline[len(doc.pm.timeline) // 2]
                t0 = time.perf_counter()
                row.event = row.event + " (edited)"
                store.save(doc)
                edit_and_save.elapsed = time.perf_counter() - t0  # type: ignore[attr-defined]
                row.event = row.event[: -len(" (edited)")]
                store.save(doc)

            saves = []
            for _ in range(args.repeat):
                edit_and_save()
                saves.append(edit_and_save.elapsed)  # type: ignore[attr-defined]
            t_save = min(saves)

            doc = store.load(path)
            doc.pm.title = "API degradation (edited)"
            store.save(doc)
            doc.pm.title = "API degradation (edited twice)"
            t_second = best(lambda: store.dumps(doc), 1)

            t_tomlkit = None if args.no_tomlkit else best(lambda: tomlkit.parse(text), 1)
            print(f"{events:>6} events, {len(text) / 1e6:.2f} MB")
            print(f"    store.load             {t_load * 1000:8.1f} ms   ({t_load / t_tomllib:.2f} x tomllib.loads)")
            print(f"    tomllib.loads          {t_tomllib * 1000:8.1f} ms")
            if t_tomlkit is not None:
                print(f"    tomlkit.parse          {t_tomlkit * 1000:8.1f} ms   ({t_tomlkit / t_load:.1f} x store.load)")
            print(f"    save after one edit    {t_save * 1000:8.1f} ms   (edit a row, atomic write + fsync)")
            print(f"    dumps, second edit     {t_second * 1000:8.1f} ms   (after a save: re-index + splice)")
            if t_tomlkit is not None:
                print(f"    tomlkit.parse / save   {t_tomlkit / t_save:8.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
