"""`pmtui add FILE < rows`: timeline rows from standard input.

A chat transcript (`10:05 First 5xx errors`), a Markdown table or pipe
rows (`time | event | source | actor | kind`), or CSV with a header: the
shapes pmtui.rowtext reads. Every row is checked first; one bad line and
nothing is written (exit 2, each problem as `stdin:LINE: ...`). Rows
already in the timeline are skipped. The file is saved atomically under
its lock, so the app cannot be editing it at the same moment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pmtui.cli.errors import UserError, fail, load_document, say
from pmtui.textsafe import one_line


def _read_stdin() -> str:
    if sys.stdin is None:
        fail("no standard input: pipe the rows in (pmtui add FILE < rows.txt)")
    if sys.stdin.isatty():
        sys.stderr.write("Type timeline rows (10:05 First 5xx errors), then ctrl-d:\n")
        sys.stderr.flush()
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"standard input is not UTF-8 text (byte {exc.start}); nothing was added")


@click.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", "source", default="", metavar="S", help="Source of rows that name none (e.g. Slack).")
@click.option("--kind", "kind", default="other", metavar="K", show_default=True,
              help="Kind of rows that name none: symptom, detection, escalation, action, decision, mitigation, "
                   "resolution, communication, other.")
@click.option("--zone", "zone", default="UTC", metavar="ZONE", show_default=True,
              help="Time zone of times with no offset (e.g. Europe/Berlin); stored in UTC.")
@click.option("--dry-run", is_flag=True, help="Check the rows and show them; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print {added, skipped} as JSON.")
def add(file: Path, source: str, kind: str, zone: str, dry_run: bool, as_json: bool) -> None:
    """Add timeline rows read from standard input to FILE: `10:05 event`,
    `time | event | source | actor | kind` (Markdown tables too) or CSV
    with a header. Nothing is written unless every row is valid."""
    from pmtui import store
    from pmtui.rowtext import Defaults, parse
    from pmtui.sources.collect import row_key
    from pmtui.timeparse import TimeParseError, format_utc, parse_time

    try:
        doc = load_document(file)
    except UserError as exc:
        fail(exc)
    pm = doc.pm
    try:
        parse_time("2025-01-01 12:00", default_zone=zone)
    except TimeParseError as exc:
        fail(f"--zone: {exc}")
    text = _read_stdin()
    parsed = parse(text, Defaults(base_date=pm.incident_date, zone=zone, source=source, kind=kind.strip().lower()))
    if parsed.problems:
        for problem in parsed.problems[:50]:
            where = f"stdin:{problem.line}: " if problem.line else ""
            say(f"{where}{problem.message}")
        more = len(parsed.problems) - 50
        if more > 0:
            say(f"... and {more} more problem{'s' if more != 1 else ''}")
        fail(f"{len(parsed.problems)} bad line{'s' if len(parsed.problems) != 1 else ''}: nothing was added to {file}")
    if not parsed.rows:
        fail("no rows on standard input (expected lines such as: 10:05 First 5xx errors)")

    seen = {row_key(e.time, e.event) for e in pm.timeline}
    added, skipped = [], []
    for line, row in parsed.rows:
        key = row_key(row.time, row.event)
        if key in seen:
            skipped.append((line, row))
            continue
        seen.add(key)
        added.append((line, row))
    if added and not dry_run:
        from pmtui.filesafety.lock import FileLock
        from pmtui.model import sort_timeline

        lock = FileLock(file)
        if not lock.acquire():
            other = lock.other
            who = f" (pid {other.pid} on {other.host}, since {other.since})" if other else ""
            fail(f"{file} is open in pmtui{who}: add the rows there (Timeline pane), or close it and run this "
                 "again; nothing was added")
        try:
            pm.timeline.extend(row for _, row in added)
            sort_timeline(pm.timeline)
            store.save(doc)
        except OSError as exc:
            fail(f"{file}: cannot save: {exc.strerror or exc}; nothing was added")
        finally:
            lock.release()
    if as_json:
        def dump(rows: list) -> list[dict]:
            return [{"line": line, "time": format_utc(r.time).replace(" ", "T") + "Z", "event": r.event,
                     "source": r.source, "actor": r.actor, "kind": r.kind} for line, r in rows]

        click.echo(json.dumps({"dry_run": dry_run, "added": dump(added), "skipped": dump(skipped),
                               "notes": parsed.notes}, indent=2, ensure_ascii=False))
        return
    for note in parsed.notes:
        say(note)
    verb = "Would add" if dry_run else "Added"
    click.echo(f"{verb} {len(added)} row{'s' if len(added) != 1 else ''} to {one_line(str(file))}"
               + (f"; {len(skipped)} already in the timeline, skipped" if skipped else "") + ".")
    for _line, row in added:
        who = f"  {one_line(row.actor, 20)}" if row.actor else ""
        click.echo(f"  {format_utc(row.time)}  {row.kind:<13} {one_line(row.event, 90)}{who}")
