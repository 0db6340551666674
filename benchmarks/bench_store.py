"""Open and save times for post-mortem files of 1,000 and 10,000 timeline
events, beside tomllib and tomlkit on the same text.

    python benchmarks/bench_store.py [--repeat N] [--events 1000 10000 100000] [--no-tomlkit]

Targets on the 2-core development machine: open a 10,000-event file in
under 0.5 s, every save after one edit in under 0.3 s (the app saves
again and again, and the recovery journal calls store.dumps after edits),
and refuse a file of 20,000 bad rows in under 1 s, each shape of bad value
(`--bad-rows 0` skips that part).
The machine is shared, so the ratios measured side by side in one run are
the figures to trust; "full scans" counts how often the store lexed a
whole file, which must stay 0 across saves.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from functools import partial
from pathlib import Path

from pmtui import model as m
from pmtui import store
from pmtui.sample import many_events
from pmtui.store.scan import counters


def build(events: int) -> m.PostMortem:
    """The same file the store's tests check for correctness, so the figures
    are for a file known to round-trip."""
    return many_events(events)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def timed_both(fn, *args) -> tuple[float, float]:
    """(wall, CPU of this thread): the write's wait for the disk is in the
    first only, so the second shows what the store itself spends."""
    t0, c0 = time.perf_counter(), time.thread_time()
    fn(*args)
    return time.perf_counter() - t0, time.thread_time() - c0


def edit_and_save(edit, doc: store.Document) -> None:
    edit()
    store.save(doc)


def saves(path: Path, events: int, *, named: bool = False) -> dict[str, object]:
    """One open, then a series of edit+save rounds of different kinds, each
    timed from the edit to the file renamed into place. `named`: every edit
    names the rows it changed in place (Document.touch, as session.Edit's
    `touched` does in the app), so a save compares only those by value;
    else every row is compared (a CLI command's save)."""
    doc = store.load(path)
    tl = doc.pm.timeline
    scans = counters.full_scans
    if named and hasattr(doc, "name_edits"):  # (a store from before it compares every row: PYTHONPATH=...)
        doc.name_edits(unchanged=True)

    def touch(*rows: object) -> None:
        if named:
            doc.touch(rows)

    def edit_row(k: int, key: str, value) -> None:
        setattr(tl[k], key, value(tl[k]))
        touch(tl[k])

    def insert(k: int, row: m.TimelineEvent) -> None:
        tl.insert(k, row)
        touch()  # which rows there are changed; no row's own values (edits.add_event: touched=())

    edits = [
        ("row edit", lambda: edit_row(events // 2, "event", lambda r: r.event + " (edited)")),
        ("same row again", lambda: edit_row(events // 2, "event", lambda r: r.event + " (twice)")),
        ("other row", lambda: edit_row(events // 3, "actor", lambda r: "@carol")),
        ("title", lambda: (setattr(doc.pm, "title", "API degradation (edited)"), touch())),
        ("insert row", lambda: insert(events // 4, m.TimelineEvent(tl[0].time, "inserted", kind="action"))),
        ("delete row", lambda: (tl.pop(events // 5), touch())),
        ("append row", lambda: insert(len(tl), m.TimelineEvent(tl[-1].time, "appended"))),
        ("new section", lambda: (setattr(doc.pm.github, "repo", "acme/api"), touch(doc.pm.github))),
    ]
    out: dict[str, object] = {}
    for name, edit in edits:
        out[name] = timed_both(edit_and_save, edit, doc)
    # the file (not timed) written is the file a whole render of the same model makes
    again = store.load(path)
    if path.read_text(encoding="utf-8") != store.dumps(again) or again.pm != doc.pm:
        raise SystemExit(f"the saved file does not hold the model ({path})")
    # what the recovery journal does between saves: dumps after a small edit
    tl[7].source = "journal"
    touch(tl[7])
    out["dumps after edit"] = (best(lambda: store.dumps(doc), 3), 0.0)
    out["full scans"] = counters.full_scans - scans
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--no-tomlkit", action="store_true", help="skip the (slow) tomlkit.parse figure")
    parser.add_argument("--bad-rows", type=int, default=20_000, help="rows of the refused file (0: skip)")
    args = parser.parse_args()
    import tomlkit

    with tempfile.TemporaryDirectory() as tmp:
        for events in args.events:
            path = Path(tmp) / f"pm-{events}.toml"
            store.save(store.new_document(build(events), path))
            text = path.read_text(encoding="utf-8")
            repeat = args.repeat if events <= 10_000 else 1

            # interleaved, so a burst of load on the machine hits both alike
            t_load, t_tomllib = [], []
            for _ in range(repeat):
                t_load.append(timed(store.load, path))
                t_tomllib.append(timed(tomllib.loads, text))
            load, parse = min(t_load), min(t_tomllib)
            rounds = saves(path, events)
            named = saves(path, events, named=True)
            t_tomlkit = None if args.no_tomlkit or events > 10_000 else best(partial(tomlkit.parse, text), 1)

            print(f"{events:>7} events, {len(text) / 1e6:.2f} MB")
            print(f"    store.load             {load * 1000:8.1f} ms   ({load / parse:.2f} x tomllib.loads)")
            print(f"    tomllib.loads          {parse * 1000:8.1f} ms")
            if t_tomlkit is not None:
                print(f"    tomlkit.parse          {t_tomlkit * 1000:8.1f} ms   ({t_tomlkit / load:.1f} x store.load)")
            for title, got in (("every row compared (no rows named: the CLI's saves)", rounds),
                               ("rows named by the edits (Document.touch, as the app's session does)", named)):
                first = got["row edit"][0]  # type: ignore[index]
                print(f"    edit + save, in order after one open (atomic write + fsync), wall / CPU; {title}:")
                for name, value in got.items():
                    if name == "full scans":
                        continue
                    wall, cpu = value  # type: ignore[misc]
                    shown = f"{wall * 1000:8.1f} ms" + (f" / {cpu * 1000:6.1f} ms" if cpu else " " * 12)
                    print(f"      {name:<20} {shown}   ({wall / first:.2f} x the first save)")
                print(f"    whole-file scans during those saves: {got['full scans']}")
        if args.bad_rows:
            bad_rows(Path(tmp), args.bad_rows, args.repeat)
    return 0


BAD_VALUES = ['"not a time {i}"', "{i}", "true", "[]", '["a", {i}]', "{{ at = {i} }}", "2025-02-09", "1.5",
              "'literal {i}'"]


def bad_rows(tmp: Path, rows: int, repeat: int) -> None:
    """A file of `rows` timeline rows whose time is not a time: refused with
    the first problems placed and a count of the rest, side by side with
    tomllib merely parsing the same text."""
    print(f"{rows:,} bad rows refused (time = ...), best of {repeat}, beside tomllib.loads of the same text:")
    for shape in BAD_VALUES:
        text = "schema = 1\n" + "".join(
            f'[[timeline]]\ntime = {shape.format(i=i)}\nevent = "e{i}"\n' for i in range(rows))
        path = tmp / "bad.toml"
        path.write_text(text, encoding="utf-8")
        t_load, t_parse = [], []
        message = ""
        for _ in range(repeat):
            t0 = time.perf_counter()
            try:
                store.load(path)
            except store.StoreError as exc:
                message = str(exc)
            t_load.append(time.perf_counter() - t0)
            t_parse.append(timed(tomllib.loads, text))
        load, parse = min(t_load), min(t_parse)
        last = message.splitlines()[-1].split(": ", 1)[-1] if message else "LOADED (not refused)"
        print(f"    {shape.format(i=7):<16} {load * 1000:7.1f} ms  ({load / parse:.2f} x tomllib.loads)  {last}")


if __name__ == "__main__":
    sys.exit(main())
