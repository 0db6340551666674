"""The Library screen: every post-mortem below some folders, one row each
(date, severity, status, title, duration, TTD/TTR, open and overdue
actions, checklist state), sortable and filterable by the keyboard; files
that cannot be read are listed with their error. Rows appear as the files
are read (a thread worker; reading never runs on the UI thread), the
highlighted one is detailed below the table with its related incidents.

Rows come first from each file's outline (every column but the
checklist, which shows "…"); the checklist of each arrives as its file is
read whole in the background, and replaces the row in place.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from pmtui.library import Entry, ScanResult, iter_scan
from pmtui.library.views import FILTER_HELP, apply_filter, checks_state, parse_filter, sort_key
from pmtui.model import format_duration
from pmtui.redact import redact
from pmtui.textsafe import one_line
from pmtui.ui.messages import RowChosen, RowHighlighted
from pmtui.ui.widgets.footer import KeyFooter
from pmtui.ui.widgets.table import Column, VirtualTable

SORTS = ("date", "severity", "status", "title", "open", "overdue", "ttr", "id")
BATCH_SECONDS = 0.05  # rows reach the screen at least this often while a library loads
ELLIPSIS = "\u2026"  # a figure still to come (the file is being read whole)
WIDE = 120  # columns from which the id, services, TTD and TTR are shown


def clean(text: str, limit: int | None = None) -> str:
    return one_line(redact(text or ""), limit)


@dataclass
class LibraryState:
    """What the screen looks like, kept while the editor has a file open."""

    filter_text: str = ""
    sort: str = "date"
    reverse: bool = False
    cursor_path: Path | None = None


class LibraryTable(VirtualTable):
    COMPONENT_CLASSES = VirtualTable.COMPONENT_CLASSES | {
        "library--broken", "library--fail", "library--warn", "library--pass", "library--late",
    }
    DEFAULT_CSS = """
    LibraryTable > .library--broken { color: $error; }
    LibraryTable > .library--fail { color: $error; text-style: bold; }
    LibraryTable > .library--warn { color: $warning; }
    LibraryTable > .library--pass { color: $success; }
    LibraryTable > .library--late { color: $error; text-style: bold; }
    """


class LibraryScreen(Screen[None]):
    DEFAULT_CSS = """
    LibraryScreen { layout: vertical; }
    LibraryScreen #library-title { height: 1; padding: 0 1; background: $panel; color: $text; }
    LibraryScreen #library-filter { height: 3; display: none; border: tall $primary; }
    LibraryScreen #library-filter.-shown { display: block; }
    LibraryScreen #library-table { height: 1fr; }
    LibraryScreen #library-detail { height: 7; padding: 0 1; background: $surface-darken-1; color: $text; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: handled as the key arrives, so the keys typed right after
        # it in one burst reach the box (and, after enter, the table), not
        # whatever had focus before (non-priority bindings run only once the
        # focused widget has passed the key back).
        Binding("slash", "filter", "Filter", id="library.filter", priority=True),
        Binding("enter", "filter_done", "Apply the filter", show=False, id="library.filter_done", priority=True),
        Binding("s", "sort(1)", "Sort", id="library.sort"),
        Binding("S", "sort(-1)", "Sort back", show=False, id="library.sort_back"),
        Binding("r", "reverse", "Reverse", id="library.reverse"),
        Binding("c", "charts", "Charts", id="library.charts"),
        Binding("ctrl+r,f5", "reload", "Reload", show=False, id="library.reload"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear", priority=True),
        Binding("question_mark,f1", "help", "Keys", id="library.help"),
        Binding("q", "quit", "Quit", id="library.quit"),
    ]

    def __init__(self, roots: list[Path], *, state: LibraryState | None = None, workers: int | None = None) -> None:
        super().__init__()
        self.roots = roots
        self.state = state or LibraryState()
        self.readers = workers
        self.entries: list[Entry] = []
        self._at: dict[Path, int] = {}  # path -> its index in self.entries
        self.view: list[Entry] = []
        self.reading = True  # the scan goes on (listing, then the checks)
        self.listed = False  # every file has its row
        self.pending = 0  # rows whose checklist is still to come
        self.listed_at: float | None = None
        self.result: ScanResult | None = None
        self.related: Any = None  # library.related.Index once the load is done
        self._filter, self._filter_problems = parse_filter(self.state.filter_text)
        self._pending_filter: Any = None
        self._key = sort_key(self.state.sort, self._today())
        self.loaded_at: float | None = None
        self._moved = False  # the person moved the cursor: rows arriving keep it on its row

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(value=self.state.filter_text, placeholder=FILTER_HELP, id="library-filter",
                    classes="-shown" if self.state.filter_text else "")
        yield LibraryTable(self._columns(self.app.size.width), row_style=self._row_style,
                           empty_text="Reading the post-mortems\u2026", id="library-table")
        yield Static(id="library-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._title()
        self.query_one(LibraryTable).focus()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(LibraryTable).set_columns(self._columns(event.size.width))

    def _now(self) -> datetime:
        return self.app.now()  # type: ignore[attr-defined]

    def _today(self) -> date:
        return self._now().date()

    def _columns(self, width: int) -> list[Column]:
        today = self._today()
        now = self._now()

        def ok(e: Entry) -> bool:
            return e.summary is not None

        def date_of(e: Entry) -> str:
            return e.info.day.isoformat() if ok(e) and e.info.day else "-"

        def title(e: Entry) -> str:
            if not ok(e):
                first = e.problem.splitlines()[0] if e.problem else ""
                return clean(f"{e.rel}: {first}")
            return clean(e.info.title) or "(untitled)"

        def checks(e: Entry) -> str:
            if not ok(e):
                return ""
            if e.pending:
                return "\u2026"  # its checklist is on its way
            state, counts = checks_state(e, now)
            return {"fail": f"{counts['fail']} \u2717", "warn": f"{counts['warn']} !", "pass": "\u2713"}[state]

        def checks_style(e: Entry) -> str | None:
            return f"library--{checks_state(e, now)[0]}" if ok(e) and not e.pending else None

        def late(e: Entry) -> str:
            n = len(e.info.overdue_actions(today)) if ok(e) else 0
            return str(n) if n else ("-" if ok(e) else "")

        def dur(value: timedelta | None) -> str:
            return format_duration(value) or "-"

        cols = [
            Column("date", "Date", date_of, width=10),
            Column("sev", "Sev", lambda e: clean(e.info.severity, 5) or "-" if ok(e) else "!", width=5),
            Column("status", "Status", lambda e: clean(e.info.status) if ok(e) else e.state, width=10),
            Column("title", "Title", title, min_width=16),
        ]
        if width >= WIDE:
            cols.insert(0, Column("id", "ID", lambda e: clean(e.info.id) if ok(e) else "", width=20))
            cols.append(Column("services", "Services", lambda e: clean(", ".join(e.info.services)) if ok(e) else "",
                               width=16))
            cols.append(Column("ttd", "TTD", lambda e: dur(e.info.ttd) if ok(e) else "", width=8))
        cols += [
            Column("ttr", "TTR" if width >= WIDE else "Dur", lambda e: dur(e.info.ttr) if ok(e) else "", width=8),
            Column("open", "Open", lambda e: str(len(e.info.open_actions())) if ok(e) else "", width=4),
            Column("late", "Late", late, width=4,
                   style=lambda e: "library--late" if ok(e) and e.info.overdue_actions(today) else None),
            Column("checks", "Chk", checks, width=5, style=checks_style),
        ]
        return cols

    def _row_style(self, e: Entry) -> str | None:
        return None if e.summary is not None else "library--broken"

    # -- loading (a thread worker; rows go to the screen in batches) ----------------------

    @work(thread=True, exclusive=True, group="library-load", exit_on_error=False)
    def load(self) -> None:
        worker = get_current_worker()
        result = ScanResult()
        batch: list[Entry] = []
        last = time.monotonic()
        started = last

        def listed() -> None:
            nonlocal batch, last
            self.app.call_from_thread(self._add, batch, listed_in=time.monotonic() - started)
            batch, last = [], time.monotonic()

        for entry in iter_scan(self.roots, result=result, workers=self.readers, checks_later=True, listed=listed,
                               cancelled=lambda: worker.is_cancelled):
            batch.append(entry)
            now = time.monotonic()
            if now - last >= BATCH_SECONDS:
                self.app.call_from_thread(self._add, batch)
                batch, last = [], now
        if worker.is_cancelled:
            return
        took = time.monotonic() - started
        self.app.call_from_thread(self._add, batch, result, took)
        self._build_related()

    def _build_related(self) -> None:
        from pmtui.library.related import Index

        index = Index([e.info for e in self.entries if e.summary is not None])
        self.app.call_from_thread(self._related_ready, index)

    def _related_ready(self, index: Any) -> None:
        self.related = index
        self._detail()

    def _add(self, batch: list[Entry], result: ScanResult | None = None, took: float | None = None,
             listed_in: float | None = None) -> None:
        """New rows, and rows again once their file is read whole (the same
        path: they replace the first in place)."""
        table = self.query_one(LibraryTable)
        keep = table.cursor_value if self._moved else None
        for entry in batch:
            at = self._at.get(entry.path)
            if at is None:
                self._at[entry.path] = len(self.entries)
                self.entries.append(entry)
                self.pending += entry.pending
                if self._matches(entry):
                    bisect.insort(self.view, entry, key=self._ordered_key)
                continue
            old = self.entries[at]
            self.entries[at] = entry
            self.pending += entry.pending - old.pending
            self._replace_in_view(old, entry)
            if keep is old:
                keep = entry
        if listed_in is not None:
            self.listed = True
            self.listed_at = listed_in
        if result is not None:
            self.reading = False
            self.listed = True
            self.result = result
            self.loaded_at = took
            table.empty_text = "No post-mortems match the filter." if self.entries else \
                "No post-mortem files below " + ", ".join(map(str, self.roots))
            wanted = self.state.cursor_path
            if wanted is not None:
                keep = next((e for e in self.view if e.path == wanted), keep)
                self.state.cursor_path = None
        self._show(keep)
        self._title()

    def _replace_in_view(self, old: Entry, new: Entry) -> None:
        """`new` where `old` was in the view (the sort keys of a row rarely
        change with its checklist: one bisect, no sort)."""
        key = self._ordered_key(old)
        at = bisect.bisect_left(self.view, key, key=self._ordered_key)
        while at < len(self.view) and self.view[at] is not old and not key < self._ordered_key(self.view[at]):
            at += 1
        shown = at < len(self.view) and self.view[at] is old
        wanted = self._matches(new)
        if shown and wanted and self._ordered_key(new) == key:
            self.view[at] = new
            return
        if shown:
            del self.view[at]
        if wanted:
            bisect.insort(self.view, new, key=self._ordered_key)

    # -- the view: filter and sort ------------------------------------------------------

    def _matches(self, e: Entry) -> bool:
        return bool(apply_filter([e], self._filter))

    def _ordered_key(self, e: Entry) -> Any:
        k = self._key(e)
        if self.state.reverse:
            # Unreadable files stay last either way.
            return (k[0], _Reversed(k[1:]))
        return k

    def _rebuild(self) -> None:
        keep = self.query_one(LibraryTable).cursor_value
        self._key = sort_key(self.state.sort, self._today())
        self.view = sorted(apply_filter(self.entries, self._filter), key=self._ordered_key)
        self._show(keep)
        self._title()

    def _show(self, keep: Entry | None) -> None:
        table = self.query_one(LibraryTable)
        cursor = 0
        if keep is not None:
            try:
                cursor = self.view.index(keep)
            except ValueError:
                cursor = 0
        table.set_rows(self.view, cursor=cursor)
        self._detail()

    def _title(self) -> None:
        roots = ", ".join(str(r) for r in self.roots)
        good = sum(1 for e in self.entries if e.summary is not None)
        bad = len(self.entries) - good
        parts = [f"{len(self.view)} of {len(self.entries)} shown"]
        if bad:
            parts.append(f"{bad} unreadable")
        if self.reading and not self.listed:
            parts.append("reading\u2026")
        elif self.pending:
            parts.append(f"checking\u2026 {self.pending} to go")
        arrow = "\u2191" if self.state.reverse else "\u2193"
        parts.append(f"by {self.state.sort} {arrow}")
        if not self._filter.empty:
            parts.append(f"filter: {self._filter.describe()}")
        if self._filter_problems:
            parts.append(self._filter_problems[0])
        parts.append(roots)
        self.query_one("#library-title", Static).update(Text(clean(" \u00b7 ".join(parts))))

    # -- the highlighted row --------------------------------------------------------------

    def on_row_highlighted(self, event: RowHighlighted) -> None:
        self._moved = True
        self._detail()

    def _detail(self) -> None:
        e = self.query_one(LibraryTable).cursor_value
        detail = self.query_one("#library-detail", Static)
        if e is None:
            detail.update(Text(""))
            return
        if e.summary is None:
            what = {"broken": "cannot be read", "newer": "was written by a newer pmtui",
                    "unreadable": "cannot be read"}.get(e.state, e.state)
            lines = [clean(f"{e.path} {what}:")] + [clean("  " + p, 300) for p in e.problem.splitlines()[:5]]
            detail.update(Text("\n".join(lines)))
            return
        detail.update(self._detail_text(e))

    def _detail_text(self, e: Entry) -> Text:
        s = e.info
        now = self._now()
        out = Text()
        out.append(clean(s.id) + "  ", style="bold")
        out.append(clean(s.title) + "\n")
        figures = [f"TTD {format_duration(s.ttd) or '-'}", f"TTM {format_duration(s.ttm) or '-'}",
                   f"TTR {format_duration(s.ttr) or '-'}", f"{ELLIPSIS if s.events is None else s.events} events",
                   f"{len(s.open_actions())} open / {len(s.actions)} actions"]
        out.append(clean(str(e.path)) + "  " + "  ".join(figures) + "\n")
        failing = [] if e.pending else [r for r in s.checklist(now, e.team) if r.result != "pass"]
        if e.pending:
            out.append("Checks: \u2026 (the file is being read whole)\n")
        elif failing:
            out.append("Checks: " + clean("; ".join(f"{r.id} {r.message}" for r in failing[:3]), 400) + "\n")
        if s.related:
            shown = []
            for pm_id, other in (self.related.resolve(s.related) if self.related else [(i, None) for i in s.related]):
                shown.append(f"{pm_id} ({other.title})" if other is not None else pm_id)
            out.append("Related: " + clean(", ".join(shown), 400) + "\n")
        if self.related is not None:
            ranked = self.related.suggest(s, limit=3)
            if ranked:
                out.append("Maybe related: " + clean("; ".join(
                    f"{r.id} ({', '.join(r.reasons[:2])})" for r in ranked), 400))
        return out

    # -- actions --------------------------------------------------------------------------

    def on_row_chosen(self, event: RowChosen) -> None:
        e = self.query_one(LibraryTable).cursor_value
        if e is None:
            return
        if e.summary is None:
            self.app.notify(f"{e.rel} cannot be opened: {e.problem.splitlines()[0] if e.problem else e.state}",
                            severity="error", timeout=6)
            return
        self.state.cursor_path = e.path
        self.app.open_postmortem(e.path)  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter_done":
            return self._filter_focused()
        if action == "filter":
            # In the box, "/" is just a character (it goes to the box in order).
            return self.app.screen is self and not self._filter_focused()
        return True

    def _filter_focused(self) -> bool:
        return self.focused is not None and self.focused.id == "library-filter"

    def action_filter_done(self) -> None:
        if self._pending_filter is not None:
            self._pending_filter.stop()
        self._apply_filter()
        self.set_focus(self.query_one(LibraryTable))

    def action_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        box.add_class("-shown")
        # At once, not after the queued keys (Widget.focus waits for them):
        # the rest of a fast typist's burst goes into the box.
        self.set_focus(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "library-filter":
            return
        self.state.filter_text = event.value
        # A burst of keys filters once, when it ends.
        if self._pending_filter is not None:
            self._pending_filter.stop()
        self._pending_filter = self.set_timer(0.08, self._apply_filter)

    def _apply_filter(self) -> None:
        self._pending_filter = None
        self._filter, self._filter_problems = parse_filter(self.state.filter_text)
        self._rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._pending_filter is not None:
            self._pending_filter.stop()
            self._apply_filter()
        self.set_focus(self.query_one(LibraryTable))

    def action_clear_filter(self) -> None:
        box = self.query_one("#library-filter", Input)
        if box.value:
            if self._pending_filter is not None:
                self._pending_filter.stop()
                self._pending_filter = None
            with box.prevent(Input.Changed):
                box.value = ""
            self.state.filter_text = ""
            self._filter, self._filter_problems = parse_filter("")
            self._rebuild()
        box.remove_class("-shown")
        self.set_focus(self.query_one(LibraryTable))

    def action_sort(self, step: int) -> None:
        i = SORTS.index(self.state.sort) if self.state.sort in SORTS else 0
        self.state.sort = SORTS[(i + step) % len(SORTS)]
        self._rebuild()

    def action_reverse(self) -> None:
        self.state.reverse = not self.state.reverse
        self._rebuild()

    def action_reload(self) -> None:
        self.entries, self.view, self.reading, self.related = [], [], True, None
        self._at, self.listed, self.pending = {}, False, 0
        self.query_one(LibraryTable).set_rows(self.view)
        self._title()
        self.load()

    @work(thread=True, exclusive=True, group="library-stats", exit_on_error=False)
    def action_charts(self) -> None:
        from pmtui.library.stats import compute

        shown = [e.info for e in self.view if e.summary is not None]
        st = compute(shown, today=self._today(), since=self._filter.since)
        scope = f"{len(shown)} post-mortems" + (f" ({self._filter.describe()})" if not self._filter.empty else "")
        waiting = sum(1 for e in self.view if e.pending)
        if waiting:
            scope += f"; the alerts and log signatures of {waiting} still being read"
        self.app.call_from_thread(self._push_charts, st, scope)

    def _push_charts(self, st: Any, scope: str) -> None:
        from pmtui.ui.screens.library_stats import LibraryStatsScreen

        self.app.push_screen(LibraryStatsScreen(st, scope))

    def action_help(self) -> None:
        from pmtui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen([("Library", type(self)), ("Table", LibraryTable)]))

    def action_quit(self) -> None:
        self.app.exit()


class _Reversed:
    """Wraps a sort key so that it orders backwards."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Reversed) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)
