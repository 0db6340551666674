"""`pmtui ls | actions | search | stats DIR…`: the library, headless.

Each prints a readable table (or `--json` for scripts). Whatever comes
from the files is redacted and made one plain line before it is printed.
Exit status: 0, or 2 when a folder given does not exist; files that
cannot be read are listed with their problem, never hidden.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmtui.cli.errors import EXIT_UNUSABLE, fail, say
from pmtui.redact import redact
from pmtui.textsafe import one_line

if TYPE_CHECKING:  # the library's modules cost `pmtui check FILE` 17 ms to import, for annotations only
    from pmtui.library.scan import Entry, ScanResult
    from pmtui.library.search import Hit


def clean(text: str, limit: int | None = None) -> str:
    return one_line(redact(text or ""), limit)


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    from pmtui.timeparse import TimeParseError, parse_date

    try:
        return parse_date(text)
    except (TimeParseError, ValueError) as exc:
        fail(f"{option}: {exc}")


def clock(as_of: str | None) -> datetime:
    """Now, or the end of the day given with --as-of (reproducible runs)."""
    day = parse_day(as_of, "--as-of")
    if day is None:
        return datetime.now(UTC)
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def load(dirs: Sequence[str], *, use_cache: bool = True) -> ScanResult:
    from pmtui.library import scan

    result = scan(dirs or ["."], use_cache=use_cache)
    for missing in result.missing_roots:
        say(f"pmtui: {missing}: no such file or folder")
    if result.missing_roots and len(result.missing_roots) == len(dirs or ["."]):
        raise SystemExit(EXIT_UNUSABLE)
    return result


def table(headers: list[str], rows: list[list[str]], *, flex: int | None = None,
          right: frozenset[int] = frozenset()) -> str:
    """Aligned columns; column `flex` (the title, say) is cut to the
    terminal's width."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    if flex is not None:
        width = shutil.get_terminal_size((120, 24)).columns
        others = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(widths) - 1)
        widths[flex] = max(12, min(widths[flex], width - others))
    lines = []
    for row in [headers, *rows]:
        cells = []
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                cell = cell[: widths[i] - 1] + "\u2026"
            cells.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _dur(delta: timedelta | None) -> str:
    from pmtui.model import format_duration

    return format_duration(delta) or "-"


def _checks_cell(counts: dict[str, int]) -> str:
    if counts["fail"]:
        return f"{counts['fail']} fail" + (f", {counts['warn']} warn" if counts["warn"] else "")
    return f"{counts['warn']} warn" if counts["warn"] else "pass"


def problem_lines(entries: list[Entry]) -> list[str]:
    out = []
    for e in entries:
        if e.ok:
            continue
        what = {"broken": "cannot be read", "newer": "written by a newer pmtui", "unreadable": "unreadable"}[e.state]
        first, *more = e.problem.splitlines() or [""]
        out.append(clean(f"{e.name}: {what}: {first}" + (f" (+{len(more)} more problems)" if more else "")))
    return out


# -- ls --------------------------------------------------------------------------

SORTS = ("date", "id", "severity", "status", "title", "open", "overdue", "ttr")


@click.command("ls")
@click.argument("dirs", nargs=-1, metavar="DIR…")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.option("--sort", "sort", type=click.Choice(SORTS), default="date", show_default=True, help="Order of the rows.")
@click.option("--severity", multiple=True, metavar="SEV", help="Only these severities (repeatable).")
@click.option("--status", multiple=True, metavar="STATUS", help="Only these statuses (repeatable).")
@click.option("--service", multiple=True, metavar="NAME", help="Only incidents touching this service (repeatable).")
@click.option("--since", metavar="DATE", help="Only incidents that started on or after DATE.")
@click.option("--until", metavar="DATE", help="Only incidents that started on or before DATE.")
@click.option("--as-of", metavar="DATE", help="Count overdue items and checks as if today were DATE.")
@click.option("--no-cache", is_flag=True, help="Read every file again (the cache is rebuilt).")
def ls(dirs: tuple[str, ...], as_json: bool, sort: str, severity: tuple[str, ...], status: tuple[str, ...],
       service: tuple[str, ...], since: str | None, until: str | None, as_of: str | None, no_cache: bool) -> None:
    """List the post-mortems below one or more folders (subfolders too, .gitignore'd paths skipped)."""
    from pmtui.library.views import Filter, apply_filter, row_json, sort_key

    now = clock(as_of)
    result = load(dirs, use_cache=not no_cache)
    flt = Filter(severities=set(severity), statuses=set(status), services=set(service),
                 since=parse_day(since, "--since"), until=parse_day(until, "--until"))
    good = apply_filter(result.good, flt)
    good.sort(key=sort_key(sort, now.date()))
    bad = [e for e in result.entries if not e.ok]
    if as_json:
        click.echo(json.dumps({"post_mortems": [row_json(e, now) for e in good],
                               "unreadable": [{"file": e.name, "state": e.state, "problem": redact(e.problem)}
                                              for e in bad],
                               "skipped": result.skipped}, indent=2, ensure_ascii=False))
        return
    rows = []
    for e in good:
        s = e.info
        counts = s.check_counts(now, e.team)
        rows.append([clean(s.id), s.day.isoformat() if s.day else "-", clean(s.severity) or "-", clean(s.status),
                     clean(s.title), clean(", ".join(s.services)) or "-", _dur(s.ttd), _dur(s.ttr),
                     str(len(s.open_actions())), str(len(s.overdue_actions(now.date()))), _checks_cell(counts),
                     clean(e.name)])
    headers = ["ID", "DATE", "SEV", "STATUS", "TITLE", "SERVICES", "TTD", "TTR", "OPEN", "LATE", "CHECKS", "FILE"]
    if rows:
        click.echo(table(headers, rows, flex=4, right=frozenset({6, 7, 8, 9})))
    for line in problem_lines(bad):
        click.echo(line)
    total = len(result.entries)
    click.echo(f"\n{len(good)} of {total} post-mortems shown" + (f", {len(bad)} cannot be read" if bad else ""))


# -- actions ------------------------------------------------------------------------


@click.command("actions")
@click.argument("dirs", nargs=-1, metavar="DIR…")
@click.option("--open", "only_open", is_flag=True, help="Only items not done.")
@click.option("--overdue", is_flag=True, help="Only open items past their deadline.")
@click.option("--owner", multiple=True, metavar="@x", help="Only items of this owner (repeatable).")
@click.option("--priority", multiple=True, type=click.Choice(("high", "medium", "low", "unset")),
              help="Only items of this priority (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@click.option("--as-of", metavar="DATE", help="Count overdue items as if today were DATE.")
def actions(dirs: tuple[str, ...], only_open: bool, overdue: bool, owner: tuple[str, ...], priority: tuple[str, ...],
            as_json: bool, as_of: str | None) -> None:
    """Action items across post-mortems, most overdue first."""
    now = clock(as_of)
    today = now.date()
    result = load(dirs)
    owners = {o.lower().lstrip("@") for o in owner}
    rows = []
    for e in result.good:
        s = e.info
        for a in s.actions:
            if (only_open or overdue) and a.status == "done":
                continue
            if overdue and not a.overdue(today):
                continue
            if owners and a.owner.strip().lower().lstrip("@") not in owners:
                continue
            if priority and (a.priority or "unset") not in priority:
                continue
            rows.append((e, a))
    rows.sort(key=lambda ea: (-(today - ea[1].deadline).days if ea[1].overdue(today) and ea[1].deadline else 1,
                              ea[1].deadline or date.max, ea[1].pm_id, ea[1].id))
    if as_json:
        click.echo(json.dumps({"actions": [{
            "post_mortem": a.pm_id, "file": e.name, "id": a.id, "action": redact(a.action), "owner": a.owner,
            "deadline": a.deadline.isoformat() if a.deadline else None, "priority": a.priority, "type": a.type,
            "status": a.status, "overdue_days": (today - a.deadline).days if a.overdue(today) and a.deadline else 0,
            "tracker": redact(a.tracker)} for e, a in rows]}, indent=2, ensure_ascii=False))
        return
    out = [[clean(a.pm_id), clean(a.id), clean(a.owner) or "-", a.deadline.isoformat() if a.deadline else "-",
            clean(a.priority) or "-", clean(a.status),
            f"{(today - a.deadline).days} d" if a.overdue(today) and a.deadline else "-", clean(a.action),
            clean(a.tracker) or "-"] for e, a in rows]
    if out:
        click.echo(table(["POST-MORTEM", "ID", "OWNER", "DEADLINE", "PRIORITY", "STATUS", "LATE", "ACTION", "TRACKER"],
                         out, flex=7, right=frozenset({6})))
    for line in problem_lines(result.entries):
        click.echo(line)
    late = sum(1 for _e, a in rows if a.overdue(today))
    click.echo(f"\n{len(rows)} action item{'s' if len(rows) != 1 else ''}, {late} overdue")


# -- search -------------------------------------------------------------------------


def _mark(text: str, spans: tuple[tuple[int, int], ...], color: bool) -> str:
    if not color or not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out += [text[pos:start], click.style(text[start:end], bold=True, fg="yellow")]
        pos = end
    out.append(text[pos:])
    return "".join(out)


@click.command("search")
@click.argument("args", nargs=-1, required=True, metavar="DIR… QUERY")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many hits.")
def search(args: tuple[str, ...], as_json: bool, limit: int | None) -> None:
    """Search every text field, timeline row, why, factor and action; shows where each hit is (file:line field).

    The last argument is the query (words, all of which a field must hold,
    in any case); the folders come before it (default: this folder).
    """
    from pmtui.library.search import Unreadable
    from pmtui.library.search import search as run_search

    *dirs, query = args
    dirs = dirs or ["."]
    if not query.strip():
        fail("QUERY: must not be empty")
    for d in dirs:
        if not Path(d).exists():
            fail(f"{d}: no such file or folder")
    problems: list[Unreadable] = []
    found = run_search(dirs, query, unreadable=problems)
    if limit is not None:
        found = itertools.islice(found, limit)
    if as_json:
        hits = list(found)
        click.echo(json.dumps({"query": query, "hits": [_redacted_hit(h) for h in hits],
                               "unreadable": [{"file": str(p.path), "problem": redact(p.problem)} for p in problems]},
                              indent=2, ensure_ascii=False))
        return
    # The table streams: each hit is printed as its file is searched.
    color = _use_color()
    count, files = 0, set()
    for h in found:
        count += 1
        files.add(h.path)
        where = clean(f"{h.path}:{h.line}" if h.line else str(h.path))
        text = redact(h.text)
        spans = h.spans if text == h.text else ()
        click.echo(f"{where}  {clean(h.pm_id)}  {h.field}")
        click.echo("    " + _mark(one_line(text, 300), spans if "\n" not in text else (), color))
    for p in problems:
        click.echo(clean(f"{p.path}: cannot be searched: {p.problem}"))
    n = len(files)
    click.echo(f"\n{count} hit{'s' if count != 1 else ''} in {n} post-mortem{'s' if n != 1 else ''}")


def _redacted_hit(h: Hit) -> dict:
    data = h.to_json()
    data["text"] = redact(data["text"])
    if data["text"] != h.text:
        data["spans"] = []
    return data


def _use_color() -> bool:
    import sys

    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


# -- stats --------------------------------------------------------------------------


@click.command("stats")
@click.argument("dirs", nargs=-1, metavar="DIR…")
@click.option("--since", metavar="DATE", help="Only incidents that started on or after DATE.")
@click.option("--md", "as_md", is_flag=True, help="Markdown tables and Mermaid charts (GitHub renders them).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--as-of", metavar="DATE", help="Ages and overdue counts as if today were DATE.")
def stats(dirs: tuple[str, ...], since: str | None, as_md: bool, as_json: bool, as_of: str | None) -> None:
    """What keeps hurting us: incidents per month, TTD/TTM/TTR per quarter, recurring causes, actions by age."""
    from pmtui.library.stats import compute

    now = clock(as_of)
    result = load(dirs)
    st = compute([e.info for e in result.good], today=now.date(), since=parse_day(since, "--since"))
    if as_json:
        data = st.to_json()
        click.echo(json.dumps(_redact_json(data), indent=2, ensure_ascii=False))
        return
    if as_md:
        from pmtui.library.mdout import stats_markdown

        click.echo(stats_markdown(st), nl=False)
        return
    from pmtui.library.views import stats_text

    click.echo(stats_text(st))
    for line in problem_lines(result.entries):
        click.echo(line)


def _redact_json(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v) for k, v in value.items()}
    return value
