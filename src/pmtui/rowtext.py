"""Timeline rows typed or pasted as text (`pmtui add FILE < rows`): a chat
transcript, a Markdown table, a spreadsheet's CSV. No I/O, no Textual.

Three shapes, recognised from the text itself:

    10:05 First 5xx errors                                  a time, then the event
    [10:12] @alice: acknowledged the page                   (the actor may lead it)
    2025-02-09T10:05:23Z | First 5xx | nginx | - | symptom  time | event | source | actor | kind
    | 10:05:23 | First 5xx errors appear | nginx access logs | - |   (a Markdown table)
    time,event,source,actor,kind                            CSV with a header row

Every row is checked; problems name their line, and a caller writes
nothing unless there are none. Clock times take the incident's date and,
without an offset or zone, `zone` (UTC unless the user says otherwise).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pmtui.model import EVENT_KINDS, TimelineEvent
from pmtui.timeparse import TimeParseError, parse_time

MAX_EVENT = 2000

COLUMNS = ("time", "event", "source", "actor", "kind")
SYNONYMS = {
    "time": ("time", "timestamp", "when", "date", "datetime", "time (utc)", "utc", "at"),
    "event": ("event", "what", "description", "message", "text", "summary", "happening"),
    "source": ("source", "system", "from", "tool", "where"),
    "actor": ("actor", "who", "user", "author", "by", "person"),
    "kind": ("kind", "type", "category"),
}
_NONE = {"", "-", "\u2013", "\u2014", "n/a", "none"}
_LEADING_TIME_RE = re.compile(
    r"^\[?(?P<time>(?:\d{4}-\d\d-\d\d[T ])?\d{1,2}:\d\d(?::\d\d(?:[.,]\d{1,9})?)?"
    r"(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|[+-]\d\d:?\d\d|UTC\b|GMT\b))?)\]?[\s,;:-]+(?P<rest>\S.*)$")
_AMPM_RE = re.compile(r"(?P<h>\d{1,2}):(?P<rest>\d\d(?::\d\d(?:[.,]\d+)?)?)\s?(?P<ap>[AaPp])\.?[Mm]\.?")
_ACTOR_RE = re.compile(r"^(?P<actor>@[\w.\-]+|<@?[\w.\- ]+>)[:,]?\s+(?P<event>\S.*)$")
_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class Parsed:
    rows: list[tuple[int, TimelineEvent]] = field(default_factory=list)  # (line, row)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shape: str = ""  # "lines", "table" or "csv"


@dataclass(frozen=True)
class Defaults:
    base_date: date | None = None  # the incident's date, for clock times
    zone: str = "UTC"  # for times without an offset
    source: str = ""
    kind: str = "other"


def _twenty_four(text: str) -> str:
    def convert(m: re.Match[str]) -> str:
        hour = int(m.group("h")) % 12 + (12 if m.group("ap").lower() == "p" else 0)
        return f"{hour:02d}:{m.group('rest')}"

    return _AMPM_RE.sub(convert, text)


def _time(text: str, line: int, defaults: Defaults, parsed: Parsed) -> datetime | None:
    try:
        return parse_time(_twenty_four(text.strip()), base_date=defaults.base_date, default_zone=defaults.zone)
    except TimeParseError as exc:
        parsed.problems.append(Problem(line, f"time: {exc}"))
        return None


def _cell(text: str) -> str:
    value = text.strip()
    return "" if value.lower() in _NONE else value


def _row(line: int, when_text: str, cells: dict[str, str], defaults: Defaults, parsed: Parsed) -> None:
    """Check one row's cells and keep it, or record what is wrong."""
    before = len(parsed.problems)
    when = _time(when_text, line, defaults, parsed)
    event = " ".join(cells.get("event", "").split())
    if not event:
        parsed.problems.append(Problem(line, "event: empty; expected what happened after the time"))
    elif len(event) > MAX_EVENT:
        parsed.problems.append(Problem(line, f"event: {len(event)} characters; at most {MAX_EVENT}"))
    kind = cells.get("kind", "").strip().lower() or defaults.kind
    if kind not in EVENT_KINDS:
        parsed.problems.append(Problem(line, f"kind: unknown value {kind!r}; expected one of {', '.join(EVENT_KINDS)}"))
    if len(parsed.problems) > before or when is None:
        return
    parsed.rows.append((line, TimelineEvent(time=when.astimezone(UTC), event=event,
                                            source=cells.get("source", "").strip() or defaults.source,
                                            actor=cells.get("actor", "").strip(), kind=kind)))


def _header_map(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the columns that name no field."""
    out: dict[int, str] = {}
    unknown = []
    for i, name in enumerate(header):
        key = name.strip().lower()
        found = next((f for f, names in SYNONYMS.items() if key in names), None)
        if found is None or found in out.values():
            unknown.append(name.strip())
        else:
            out[i] = found
    return out, unknown


def _looks_like_header(cells: list[str]) -> bool:
    mapped, _ = _header_map(cells)
    return "time" in mapped.values() and "event" in mapped.values()


def _parse_csv(text: str, first: int, defaults: Defaults, parsed: Parsed) -> None:
    parsed.shape = "csv"
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    columns, unknown = _header_map(header)
    if unknown:
        parsed.notes.append(f"line {first}: column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                            f"ignored (pmtui reads {', '.join(COLUMNS)})")
    start = reader.line_num
    try:
        for record in reader:
            line = first + start
            start = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                parsed.problems.append(Problem(line, f"{len(record)} cells but the header names {len(header)}"))
                continue
            cells = {columns[i]: value for i, value in enumerate(record) if i in columns}
            _row(line, cells.get("time", ""), {k: _cell(v) for k, v in cells.items() if k != "time"} | {
                "event": cells.get("event", "").strip()}, defaults, parsed)
    except csv.Error as exc:
        parsed.problems.append(Problem(first + reader.line_num, f"not valid CSV: {exc}"))


def _parse_pipes(line: int, text: str, defaults: Defaults, parsed: Parsed) -> None:
    body = text.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    cells = [c.strip() for c in body.split("|")]
    if len(cells) > len(COLUMNS):
        parsed.problems.append(Problem(line, f"{len(cells)} cells; expected at most {len(COLUMNS)}: "
                                             "time | event | source | actor | kind"))
        return
    named = dict(zip(COLUMNS, cells, strict=False))
    _row(line, named.get("time", ""), {k: _cell(v) for k, v in named.items() if k not in ("time", "event")}
         | {"event": named.get("event", "")}, defaults, parsed)


def _parse_line(line: int, text: str, defaults: Defaults, parsed: Parsed) -> None:
    m = _LEADING_TIME_RE.match(text.strip())
    if m is None:
        parsed.problems.append(Problem(line, "expected a time first (10:05, 10:05:23, 2025-02-09T10:05:23Z), "
                                             "then the event; or time | event | source | actor | kind"))
        return
    rest, actor = m.group("rest").strip(), ""
    said = _ACTOR_RE.match(rest)
    if said:
        actor = said.group("actor").strip("<>")
        actor = actor if actor.startswith("@") else "@" + actor
        rest = said.group("event")
    _row(line, m.group("time"), {"event": rest, "actor": actor}, defaults, parsed)


def parse(text: str, defaults: Defaults | None = None) -> Parsed:
    """Every row of `text`, or the problems that stop them being added.
    Blank lines and lines starting with # (comments, Markdown headings)
    are skipped."""
    defaults = defaults or Defaults()
    parsed = Parsed()
    if defaults.kind not in EVENT_KINDS:
        parsed.problems.append(Problem(0, f"--kind: unknown value {defaults.kind!r}; expected one of "
                                          f"{', '.join(EVENT_KINDS)}"))
        return parsed
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    content = [(i, line) for i, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        return parsed
    first_no, first = content[0]
    if "|" not in first and "," in first:
        try:
            header = next(csv.reader([first]))
        except csv.Error:
            header = []
        if _looks_like_header(header):
            _parse_csv("\n".join(lines[first_no - 1:]), first_no, defaults, parsed)
            return parsed
    parsed.shape = "table" if first.lstrip().startswith("|") else "lines"
    for number, line in content:
        if "|" in line:
            if _SEPARATOR_RE.match(line.strip()):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if number == first_no and _looks_like_header(cells):
                continue
            _parse_pipes(number, line, defaults, parsed)
        else:
            _parse_line(number, line, defaults, parsed)
    return parsed
