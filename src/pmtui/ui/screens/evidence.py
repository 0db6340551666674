"""One piece of evidence, read back from NAME.evidence/, opened at the
place a timeline row refers to: a log at its line (the lines around it),
a JSON answer pretty-printed at the row's time, a metric as a chart of the
series the row names, on a time axis with the incident's detected /
mitigated / resolved marks.

The file is read and its checksum verified in a thread worker, so a 100 MB
log never freezes the screen; at most MAX_LINES lines are held, centred on
the line referred to. Text is searched (`/`, n/N), wrapped (`w`) and JSON
pretty-printed (`p`); everything in it is outside text, shown through
textsafe.printable as plain segments, never markup. A row with several
references steps through them (`[`, `]`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from pmtui.model import Evidence, IncidentTimes
from pmtui.sources.evidence import EvidenceRef, series_matches
from pmtui.textsafe import one_line, printable
from pmtui.timeparse import format_clock, format_utc
from pmtui.ui.keys import key_for
from pmtui.ui.widgets.chart import Mark, TimeChart
from pmtui.ui.widgets.handoff import HandOffInput

MAX_LINES = 20_000
MAX_SERIES = 24
MAX_JSON = 32 << 20  # bytes: a bigger JSON answer is shown as it is, not parsed


@dataclass
class SeriesView:
    label: str
    samples: list[tuple[float, float]]
    summary: str


@dataclass
class Loaded:
    checksum_ok: bool
    lines: list[str] = field(default_factory=list)  # printable text, one display line each
    numbers: list[int] = field(default_factory=list)  # the file's line number of each display line
    target: int | None = None  # the display line the reference points at
    truncated: str = ""  # what of the file is not held, said for the status line
    series: list[SeriesView] = field(default_factory=list)
    series_total: int = 0  # series in the answer (those shown: `series`)
    json_whole: bool = False  # the file is one JSON document (shown pretty-printed)
    pretty: bool = False
    error: str = ""


# -- reading (in a worker thread) ---------------------------------------------------------


def load(evidence: Evidence, base: Path, ref: EvidenceRef | None = None, *, when: datetime | None = None,
         pretty: bool | None = None) -> Loaded:
    path = base / evidence.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Loaded(False, error=f"cannot read {evidence.path}: {exc.strerror or exc}")
    ok = hashlib.sha256(data).hexdigest() == evidence.sha256
    if evidence.kind == "metrics":
        out = _metrics(data, ok, ref)
        if out is not None:
            return out
    doc: object = None
    if len(data) <= MAX_JSON and data[:1] in (b"{", b"["):
        try:
            doc = json.loads(data)
        except ValueError:
            doc = None
    if doc is not None:
        out = Loaded(ok, json_whole=True, pretty=pretty is not False)
        text = json.dumps(doc, indent=2, ensure_ascii=False) if out.pretty else data.decode("utf-8", "replace")
        lines = text.splitlines()
        out.lines = [printable(line) for line in lines[:MAX_LINES]]
        out.numbers = list(range(1, len(out.lines) + 1))
        if len(lines) > MAX_LINES:
            out.truncated = f"the first {MAX_LINES:,} of {len(lines):,} lines"
    else:
        out = _text(data, ok, ref.line if ref is not None else None, pretty=bool(pretty))
    if out.target is None and when is not None:
        out.target = _line_at(out.lines, when)
    return out


def _metrics(data: bytes, ok: bool, ref: EvidenceRef | None) -> Loaded | None:
    from pmtui.sources.prometheus import label_text, series_of

    try:
        all_series = series_of(json.loads(data))
    except (ValueError, KeyError, TypeError):
        return None  # not a Prometheus answer after all: shown as text
    if not all_series:
        return None
    chosen = all_series
    if ref is not None and ref.series:
        wanted = ref.series
        chosen = [s for s in all_series if series_matches(s.labels, wanted)] or all_series
    out = Loaded(ok, series_total=len(all_series))
    for s in chosen[:MAX_SERIES]:
        samples = [(t.timestamp(), v) for t, v in s.samples]
        values = [v for _, v in samples if not math.isnan(v)]
        if not values:
            continue
        summary = f"min {min(values):.4g}  max {max(values):.4g}  last {values[-1]:.4g}  ({len(values)} points)"
        out.series.append(SeriesView(label_text(s.labels) or "(no labels)", samples, summary))
    return out


def _text(data: bytes, ok: bool, line: int | None, *, pretty: bool) -> Loaded:
    """The file's lines, or the MAX_LINES of them around `line`."""
    raw = data.decode("utf-8", errors="replace").splitlines()
    first = 0
    if line is not None and len(raw) > MAX_LINES:
        first = max(0, min(line - 1 - MAX_LINES // 2, len(raw) - MAX_LINES))
    held = raw[first : first + MAX_LINES]
    out = Loaded(ok, pretty=pretty)
    for number, text in enumerate(held, first + 1):
        if line is not None and number == line:
            out.target = len(out.lines)
        expanded = _pretty_line(text) if pretty else None
        for part in expanded or [text]:
            out.lines.append(printable(part))
            out.numbers.append(number)
    if len(held) < len(raw):
        out.truncated = f"lines {first + 1:,}\u2013{first + len(held):,} of {len(raw):,}"
    return out


def _pretty_line(text: str) -> list[str] | None:
    """A log line holding a JSON object (after a timestamp or prefix), as
    the prefix and the object indented; None when it holds none."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        obj = json.loads(text[start:])
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    body = json.dumps(obj, indent=2, ensure_ascii=False).splitlines()
    head = text[:start].rstrip()
    return [head, *body] if head else body


def _line_at(lines: Sequence[str], when: datetime) -> int | None:
    """The first line that names `when` (to the second), else the first
    line stamped at or after it: where a row without a line number opens."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    for i, line in enumerate(lines):
        if stamp in line:
            return i
    for i, line in enumerate(lines):
        if len(line) >= 19 and line[:4].isdigit() and line[4:5] == "-" and line[10:11] == "T" and line[:19] >= stamp:
            return i
    return None


# -- the lines -------------------------------------------------------------------------------


class EvidenceLines(ScrollView, can_focus=True):
    """The text, drawn line by line: a gutter with the file's line numbers,
    the line referred to marked, matches of the search highlighted, long
    lines cut (scroll sideways) or wrapped."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "evidence-lines--gutter", "evidence-lines--target", "evidence-lines--cursor", "evidence-lines--match",
        "evidence-lines--current",
    }
    DEFAULT_CSS = """
    EvidenceLines { height: 1fr; background: $surface; padding-left: 1; }
    EvidenceLines > .evidence-lines--gutter { color: $text-muted; }
    EvidenceLines > .evidence-lines--target { background: $warning 30%; }
    EvidenceLines > .evidence-lines--cursor { background: $panel-lighten-1; }
    EvidenceLines:focus > .evidence-lines--cursor { background: $primary 30%; }
    EvidenceLines > .evidence-lines--match { background: $accent 40%; }
    EvidenceLines > .evidence-lines--current { background: $accent; color: $text; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="evidence.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="evidence.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="evidence.pageup"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="evidence.pagedown"),
        Binding("home,g", "go(0)", "First line", show=False, id="evidence.first"),
        Binding("end,G", "go(-1)", "Last line", show=False, id="evidence.last"),
        Binding("left,h", "side(-8)", "Left", show=False, id="evidence.left"),
        Binding("right,l", "side(8)", "Right", show=False, id="evidence.right"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: list[str] = []
        self.numbers: list[int] = []
        self.target: int | None = None
        self.cursor = 0
        self.wrap = False
        self.query_text = ""
        self.matches: list[tuple[int, int, int]] = []  # (line, start, end), in order
        self.current: int | None = None  # index into matches
        self._rows: list[tuple[int, int, int]] = []  # visual rows: (line, start, end) in characters
        self._row_of_line: list[int] = []
        self._rows_width = -1
        self._gutter = 2
        # The cursor is to be brought into view once the view has a size
        # (in a real terminal the first layout may come after the text).
        self._center_pending = False

    # -- content ---------------------------------------------------------------------

    def show(self, lines: list[str], numbers: list[int], target: int | None) -> None:
        self.lines, self.numbers, self.target = lines, numbers, target
        self.cursor = target if target is not None else 0
        self._gutter = len(f"{max(numbers, default=1):,}") + 2
        self.search(self.query_text)
        self._relayout()
        self._center_pending = True
        self.call_after_refresh(self.center_cursor)

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - self._gutter)

    def _relayout(self) -> None:
        width = self._text_width()
        rows: list[tuple[int, int, int]] = []
        row_of_line: list[int] = []
        widest = 0
        for i, line in enumerate(self.lines):
            row_of_line.append(len(rows))
            if not self.wrap or (len(line) <= width and (line.isascii() or cell_len(line) <= width)):
                rows.append((i, 0, len(line)))
                widest = max(widest, cell_len(line) if not line.isascii() else len(line))
                continue
            start = 0
            while start < len(line):
                end = _fit(line, start, width)
                rows.append((i, start, end))
                start = end
        self._rows, self._row_of_line, self._rows_width = rows, row_of_line, width
        total_width = self._gutter + (width if self.wrap else widest)
        self.virtual_size = Size(total_width, len(rows))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self._text_width() != self._rows_width:
            self._relayout()
        if self._center_pending:
            self.call_after_refresh(self.center_cursor)

    def set_wrap(self, wrap: bool) -> None:
        self.wrap = wrap
        self.scroll_to(x=0, animate=False, immediate=True)
        self._relayout()
        self.call_after_refresh(self.center_cursor)

    # -- search -----------------------------------------------------------------------

    def search(self, text: str) -> int:
        """Every occurrence of `text` (case-insensitive unless it holds a
        capital); how many."""
        self.query_text = text
        self.matches, self.current = [], None
        if text:
            fold = text == text.lower()
            needle = text.lower() if fold else text
            for i, line in enumerate(self.lines):
                hay = line.lower() if fold else line
                pos = hay.find(needle)
                while pos >= 0:
                    self.matches.append((i, pos, pos + len(needle)))
                    pos = hay.find(needle, pos + max(1, len(needle)))
        self.refresh()
        return len(self.matches)

    def next_match(self, step: int) -> bool:
        """Go to the next (step 1) or previous (-1) match from the cursor,
        round the end; False when there is none."""
        if not self.matches:
            return False
        if self.current is None:
            after = [k for k, (line, _, _) in enumerate(self.matches) if line >= self.cursor]
            before = [k for k, (line, _, _) in enumerate(self.matches) if line <= self.cursor]
            self.current = (after[0] if after else 0) if step > 0 else (before[-1] if before else len(self.matches) - 1)
        else:
            self.current = (self.current + step) % len(self.matches)
        line, start, end = self.matches[self.current]
        self.cursor = line
        self._show_column(line, start, end)
        self.center_cursor()
        self.refresh()
        return True

    def _show_column(self, line: int, start: int, end: int) -> None:
        """Scroll sideways so the whole match shows (cut lines)."""
        if self.wrap:
            return
        column = cell_len(self.lines[line][:start])
        column_end = column + cell_len(self.lines[line][start:end])
        width = self._text_width()
        if not (self.scroll_x <= column and column_end <= self.scroll_x + width):
            self.scroll_to(x=max(0, column - width // 3), animate=False, immediate=True)

    # -- moving -------------------------------------------------------------------------

    def center_cursor(self) -> None:
        if not self._row_of_line or not 0 <= self.cursor < len(self._row_of_line):
            return
        row = self._row_of_line[self.cursor]
        height = self.scrollable_content_region.height
        if height <= 0 or self.max_scroll_y < min(row, self.virtual_size.height - height) - height // 2:
            self._center_pending = True  # not laid out yet: on the next resize
            return
        self._center_pending = False
        top = round(self.scroll_y)
        if not top <= row < top + height or self.target == self.cursor:
            self.scroll_to(y=max(0, row - height // 2), animate=False, immediate=True)

    def _move(self, line: int) -> None:
        if not self.lines:
            return
        self.cursor = max(0, min(line, len(self.lines) - 1))
        row = self._row_of_line[self.cursor]
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_go(self, where: int) -> None:
        self._move(len(self.lines) - 1 if where < 0 else where)

    def action_side(self, delta: int) -> None:
        if not self.wrap:
            self.scroll_to(x=max(0, self.scroll_x + delta), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            row = round(self.scroll_y) + offset.y
            if 0 <= row < len(self._rows):
                self._move(self._rows[row][0])

    # -- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = round(self.scroll_y) + y
        if not 0 <= row < len(self._rows):
            return Strip.blank(width, base)
        line, start, end = self._rows[row]
        style = base
        if line == self.target:
            style = style + self.get_component_rich_style("evidence-lines--target", partial=True)
        if line == self.cursor:
            style = style + self.get_component_rich_style("evidence-lines--cursor", partial=True)
        gutter_style = style + self.get_component_rich_style("evidence-lines--gutter", partial=True)
        continued = start > 0
        number = "" if continued else f"{self.numbers[line]:,}"
        marker = "\u25b6" if line == self.target and not continued else " "
        gutter = number.rjust(self._gutter - 2) + marker + " "
        segments = [Segment(gutter, gutter_style)]
        text = self.lines[line]
        segments += self._text_segments(line, text, start, end, style)
        x = round(self.scroll_x)
        if x and not self.wrap:
            text_part = Strip(segments[1:]).crop(x, x + width - self._gutter)
            return Strip.join([Strip(segments[:1]), text_part]).adjust_cell_length(width, style)
        return Strip(segments).adjust_cell_length(width, style)

    def _text_segments(self, line: int, text: str, start: int, end: int, style: Style) -> list[Segment]:
        spans = [(a, b, k) for k, (i, a, b) in enumerate(self.matches) if i == line] if self.matches else []
        if not spans:
            return [Segment(text[start:end], style)]
        match = style + self.get_component_rich_style("evidence-lines--match", partial=True)
        current = style + self.get_component_rich_style("evidence-lines--current", partial=True)
        out: list[Segment] = []
        pos = start
        for a, b, k in spans:
            a, b = max(a, start), min(b, end)
            if b <= a:
                continue
            if a > pos:
                out.append(Segment(text[pos:a], style))
            out.append(Segment(text[a:b], current if k == self.current else match))
            pos = b
        if pos < end:
            out.append(Segment(text[pos:end], style))
        return out


def _fit(line: str, start: int, width: int) -> int:
    """The end of the longest piece of `line` from `start` that fits in
    `width` cells (at least one character)."""
    if line.isascii():
        return min(len(line), start + width)
    used, i = 0, start
    while i < len(line):
        w = cell_len(line[i])
        if used + w > width and i > start:
            break
        used += w
        i += 1
    return i


# -- the screen -------------------------------------------------------------------------------


class SearchInput(HandOffInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", id="evidence.close_search"),
    ]

    def hand_off_target(self) -> EvidenceLines | None:
        # `n` typed right after enter steps to the next match.
        found = self.screen.query(EvidenceLines)
        return found.first() if found else None

    def action_close(self) -> None:
        self.remove_class("-shown")
        # Now, as escape is handled: the key typed next goes to the lines.
        self.screen.set_focus(self.screen.query_one(EvidenceLines))


def status_text(facts: str, keys: list[str], width: int) -> Text:
    """The facts and the keys on one line when they fit, else the keys on a
    line of their own; keys are never cut: the last but `close` give way
    first (the help screen lists them all)."""
    keys = list(keys)
    while len(keys) > 1 and len("  ".join(keys)) > width:
        keys.pop(-2)
    line = "  ".join(keys)
    if not facts:
        return Text(line, no_wrap=True, overflow="crop")
    if len(facts) + 3 + len(line) <= width:
        return Text(f"{facts}   {line}", no_wrap=True, overflow="crop")
    return Text(f"{one_line(facts, max(1, width))}\n{line}", no_wrap=True, overflow="ellipsis")


class EvidenceScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="evidence.close"),
        Binding("slash", "search", "Search", id="evidence.search"),
        Binding("n", "next_match(1)", "Next match", id="evidence.next_match"),
        Binding("N", "next_match(-1)", "Previous match", id="evidence.prev_match"),
        Binding("w", "wrap", "Wrap", id="evidence.wrap"),
        Binding("p", "pretty", "Pretty JSON", id="evidence.pretty"),
        Binding("right_square_bracket", "step(1)", "Next reference", id="evidence.next_ref"),
        Binding("left_square_bracket", "step(-1)", "Previous reference", id="evidence.prev_ref"),
    ]

    DEFAULT_CSS = """
    EvidenceScreen { align: center middle; }
    EvidenceScreen > Vertical { width: 96%; height: 96%; border: thick $primary; background: $surface; }
    EvidenceScreen #evidence-head {
        height: auto; max-height: 4; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    EvidenceScreen #evidence-body { height: 1fr; }
    EvidenceScreen #evidence-status {
        height: auto; max-height: 2; padding: 0 1; background: $panel; color: $text-muted;
    }
    EvidenceScreen SearchInput { display: none; height: 1; border: none; padding: 0 1; }
    EvidenceScreen SearchInput.-shown { display: block; }
    EvidenceScreen SearchInput:focus { border: none; background: $boost; }
    EvidenceScreen .series-label { color: $text-primary; padding: 0 1; }
    EvidenceScreen TimeChart { height: 1fr; min-height: 8; margin: 0 1; }
    EvidenceScreen .-many TimeChart { height: 10; }
    EvidenceScreen .series-summary { color: $text-muted; padding: 0 1; }
    EvidenceScreen .evidence-bad { color: $error; padding: 0 1; }
    """

    def __init__(self, evidence: Evidence, base: Path, ref: EvidenceRef | None = None, *,
                 when: datetime | None = None, times: IncidentTimes | None = None,
                 targets: Sequence[tuple[Evidence, EvidenceRef | None]] | None = None) -> None:
        """Open `evidence` (at `ref`, or at the row's time `when`); with
        `targets`, every reference of the row, `[`/`]` stepping through them."""
        super().__init__()
        self.targets = list(targets) if targets else [(evidence, ref)]
        self.index = next((i for i, (ev, r) in enumerate(self.targets) if ev is evidence and r == ref), 0)
        self.base = base
        self.when = when
        self.times = times or IncidentTimes()
        self.loaded: Loaded | None = None
        self.pretty: bool | None = None  # None: the default of the file's kind
        # Kept across a re-read (pretty-printing, another reference).
        self.query_text = ""
        self.wrap = False

    @property
    def evidence(self) -> Evidence:
        return self.targets[self.index][0]

    @property
    def ref(self) -> EvidenceRef | None:
        return self.targets[self.index][1]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self._head(), id="evidence-head")
            yield Vertical(Static(Text("Reading…", style="italic")), id="evidence-body")
            yield SearchInput(placeholder="search: text (case-insensitive unless it has a capital) · enter finds",
                              id="evidence-search")
            yield Static("", id="evidence-status")

    def _head(self) -> Text:
        ev = self.evidence
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(one_line(f"{ev.kind} from {ev.source}: {ev.path}", 300), style="bold")
        if len(self.targets) > 1:
            head.append(f"   reference {self.index + 1} of {len(self.targets)}")
        if ev.query:
            head.append("\n" + one_line(ev.query, 300))
        window = ""
        if ev.window_start and ev.window_end:
            window = (f"  window {format_utc(ev.window_start, seconds=False)} \u2013 "
                      f"{format_utc(ev.window_end, seconds=False)}")
        head.append(f"\n{ev.size:,} bytes{window}  sha256 {ev.sha256[:12]}\u2026")
        return head

    def on_mount(self) -> None:
        self._read()

    def _read(self) -> None:
        ev, ref, when, pretty = self.evidence, self.ref, self.when, self.pretty
        self.run_worker(lambda: load(ev, self.base, ref, when=when, pretty=pretty), thread=True, name="evidence",
                        exclusive=True, group="evidence")

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.SUCCESS or event.worker.group != "evidence":
            return
        loaded = event.worker.result
        if isinstance(loaded, Loaded):
            await self._show(loaded)

    async def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.query_one("#evidence-head", Static).update(self._head())
        body = self.query_one("#evidence-body", Vertical)
        await body.remove_children()
        if loaded.error:
            await body.mount(Static(Text(printable(loaded.error)), classes="evidence-bad"))
            self._status()
            return
        if not loaded.checksum_ok:
            await body.mount(Static(Text("The file no longer matches its recorded sha256: it was changed after "
                                         "collection."), classes="evidence-bad"))
        if loaded.series:
            await self._show_series(body, loaded)
        else:
            view = EvidenceLines(id="evidence-lines")
            view.wrap, view.query_text = self.wrap, self.query_text
            await body.mount(view)
            view.show(loaded.lines, loaded.numbers, loaded.target)
            view.focus()
        self._status()

    async def _show_series(self, body: Vertical, loaded: Loaded) -> None:
        ev = self.evidence
        span = None
        if ev.window_start and ev.window_end:
            span = (ev.window_start.timestamp(), ev.window_end.timestamp())
        marks = self._marks()
        plots = VerticalScroll(classes="-many" if len(loaded.series) > 1 else "")
        await body.mount(plots)
        legend = "  ".join(f"{m.letter} {'this row' if m.name == 'row' else m.name} {format_clock(m.when)}"
                           for m in marks)
        for s in loaded.series:
            await plots.mount(Static(Text(one_line(s.label, 300)), classes="series-label"))
            await plots.mount(TimeChart(s.samples, marks, span=span))
            await plots.mount(Static(Text(s.summary), classes="series-summary"))
        if legend:
            await body.mount(Static(Text(legend), id="evidence-legend", classes="series-summary"))
        plots.focus()

    def _marks(self) -> list[Mark]:
        marks = []
        for name, letter in (("detected", "D"), ("mitigated", "M"), ("resolved", "R")):
            when = getattr(self.times, name)
            if when is not None:
                marks.append(Mark(name, when, letter))
        if self.when is not None:  # last: where two share a column, the row's own time shows
            marks.append(Mark("row", self.when, "*"))
        return marks

    def _status(self) -> None:
        loaded = self.loaded
        parts = []
        view = self._lines()
        if loaded is not None and view is not None:
            if view.target is not None and self.ref is not None and self.ref.line:
                parts.append(f"line {self.ref.line:,} marked \u25b6")
            elif view.target is not None and self.when is not None:
                parts.append(f"at {format_clock(self.when)} \u25b6")
            if loaded.truncated:
                parts.append(f"showing {loaded.truncated}")
            if view.query_text:
                found = len(view.matches)
                where = f"{view.current + 1} of {found}" if view.current is not None and found else f"{found}"
                parts.append(f"{printable(view.query_text)!r}: {where} match{'es' if found != 1 else ''}")
            if view.wrap:
                parts.append("wrapped")
            if loaded.pretty:
                parts.append("pretty JSON")
        elif loaded is not None and loaded.series:
            parts.append(f"{len(loaded.series)} of {loaded.series_total} series")
        text_keys = (("evidence.search", "search"), ("evidence.next_match", "next"), ("evidence.wrap", "wrap"),
                     ("evidence.pretty", "pretty"))
        keys = [f"{key_for(self, i)} {w}" for i, w in (*(text_keys if view is not None else ()),
                                                        ("evidence.close", "close"))]
        if len(self.targets) > 1:
            keys.insert(-1, f"{key_for(self, 'evidence.prev_ref')}{key_for(self, 'evidence.next_ref')} refs")
        status = self.query_one("#evidence-status", Static)
        status.update(status_text(" · ".join(parts), keys, status.content_region.width or self.app.size.width - 6))

    def on_resize(self) -> None:
        self._status()

    def _lines(self) -> EvidenceLines | None:
        found = self.query(EvidenceLines)
        return found.first() if found else None

    # -- actions -------------------------------------------------------------------------

    def action_search(self) -> None:
        if self._lines() is None:
            return
        box = self.query_one(SearchInput)
        box.add_class("-shown")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view = self._lines()
        if view is None:
            return
        self.query_text = event.value
        found = view.search(event.value)
        if found:
            view.next_match(1)
        else:
            self.notify(f"Not found: {printable(event.value)!r}", timeout=2, markup=False)
        event.input.remove_class("-shown")
        view.focus()
        self._status()

    def action_next_match(self, step: int) -> None:
        view = self._lines()
        if view is None:
            return
        if not view.query_text:
            self.action_search()
            return
        if not view.next_match(step):
            self.notify(f"Not found: {printable(view.query_text)!r}", timeout=2, markup=False)
        self._status()

    def action_wrap(self) -> None:
        view = self._lines()
        if view is not None:
            self.wrap = not view.wrap
            view.set_wrap(self.wrap)
            self._status()

    def action_pretty(self) -> None:
        if self.loaded is None or self.loaded.series:
            return
        self.pretty = not self.loaded.pretty
        self._read()

    def action_step(self, step: int) -> None:
        if len(self.targets) < 2:
            return
        self.index = (self.index + step) % len(self.targets)
        self.pretty = None
        self._read()
