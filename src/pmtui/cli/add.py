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
from typing import TYPE_CHECKING, NoReturn

import click

from pmtui.cli.errors import UserError, fail, load_document, say
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.model import PostMortem, TimelineEvent
    from pmtui.rowtext import Problem
    from pmtui.store import Document


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
    from pmtui.rowtext import Defaults, parse
    from pmtui.timeparse import TimeParseError, parse_time

    try:
        doc = load_document(file)
    except UserError as exc:
        fail(exc)
    try:
        parse_time("2025-01-01 12:00", default_zone=zone)
    except TimeParseError as exc:
        fail(f"--zone: {exc}")
    parsed = parse(_read_stdin(), Defaults(base_date=doc.pm.incident_date, zone=zone, source=source,
                                           kind=kind.strip().lower()))
    if parsed.problems:
        _refuse(parsed.problems, file)
    if not parsed.rows:
        fail("no rows on standard input (expected lines such as: 10:05 First 5xx errors)")
    added, skipped = _split(doc.pm, parsed.rows)
    if added and not dry_run:
        _save(doc, file, [row for _, row in added])
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "added": _dump(added), "skipped": _dump(skipped),
                               "notes": parsed.notes}, indent=2, ensure_ascii=False))
        return
    for note in parsed.notes:
        say(note)
    _print(file, added, skipped, dry_run)


Rows = list[tuple[int, "TimelineEvent"]]


def _refuse(problems: list[Problem], file: Path) -> NoReturn:
    for problem in problems[:50]:
        where = f"stdin:{problem.line}: " if problem.line else ""
        say(f"{where}{problem.message}")
    more = len(problems) - 50
    if more > 0:
        say(f"... and {more} more problem{'s' if more != 1 else ''}")
    fail(f"{len(problems)} bad line{'s' if len(problems) != 1 else ''}: nothing was added to {file}")


def _split(pm: PostMortem, rows: Rows) -> tuple[Rows, Rows]:
    """(rows to add, rows the timeline has already: same second, same words)."""
    from pmtui.sources.collect import row_key

    seen = {row_key(e.time, e.event) for e in pm.timeline}
    added, skipped = [], []
    for line, row in rows:
        key = row_key(row.time, row.event)
        if key in seen:
            skipped.append((line, row))
            continue
        seen.add(key)
        added.append((line, row))
    return added, skipped


def _save(doc: Document, file: Path, rows: list[TimelineEvent]) -> None:
    """The rows into the file under its lock (as the app and every command
    that writes: cli.guard), with a backup; nothing when it changed since
    it was read."""
    from pmtui import store
    from pmtui.cli.guard import changed_on_disk, hold_lock, keep_backup
    from pmtui.model import sort_timeline

    lock = hold_lock(file, what="add")
    try:
        if changed_on_disk(doc):
            fail(f"{file} changed while the rows were read: nothing was added; run this again")
        doc.pm.timeline.extend(rows)
        sort_timeline(doc.pm.timeline)
        keep_backup(file)
        store.save(doc)
    except OSError as exc:
        fail(f"{file}: cannot save: {exc.strerror or exc}; nothing was added")
    finally:
        lock.release()


def _dump(rows: Rows) -> list[dict[str, object]]:
    return [{"line": line, "time": r.time.isoformat().replace("+00:00", "Z"), "event": r.event,
             "source": r.source, "actor": r.actor, "kind": r.kind} for line, r in rows]


def _print(file: Path, added: Rows, skipped: Rows, dry_run: bool) -> None:
    from pmtui.timeparse import format_utc

    verb = "Would add" if dry_run else "Added"
    click.echo(f"{verb} {len(added)} row{'s' if len(added) != 1 else ''} to {one_line(str(file))}"
               + (f"; {len(skipped)} already in the timeline, skipped" if skipped else "") + ".")
    for _line, row in added:
        who = f"  {one_line(row.actor, 20)}" if row.actor else ""
        click.echo(f"  {format_utc(row.time)}  {row.kind:<13} {one_line(row.event, 90)}{who}")
