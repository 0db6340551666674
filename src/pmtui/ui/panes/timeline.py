"""The timeline: every event of the incident in UTC order, edited by key.

Rows live in `pm.timeline`, kept sorted at all times: an edit that moves
a row in time moves it in the list inside the same undoable step, so the
table is always just a view of that list (or of its filtered subset).
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from pmtui.model import EVENT_KINDS, TimelineEvent
from pmtui.session import Change, EditSession
from pmtui.timeparse import TimeParseError, format_clock, format_utc, parse_time
from pmtui.ui.messages import RowChosen
from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.table import Column

MARKS = {
    "detected": ("detection", "mark detection"),
    "mitigated": ("mitigation", "mark mitigation"),
    "resolved": ("resolution", "mark resolution"),
}


def _time_key(event: TimelineEvent) -> datetime:
    return event.time


def index_of(events: list[TimelineEvent], event: TimelineEvent) -> int:
    """Position of this very object in the sorted list (several rows may be
    equal as data, e.g. after duplicating one)."""
    start = bisect_left(events, event.time, key=_time_key)
    for i in range(start, len(events)):
        if events[i] is event:
            return i
    for i, other in enumerate(events):  # the list was not sorted after all
        if other is event:
            return i
    raise ValueError("event not in timeline")


def is_sorted(events: list[TimelineEvent]) -> bool:
    return all(events[i].time <= events[i + 1].time for i in range(len(events) - 1))


class TimelineTable(BlameTable):
    """Blame language in an event is marked where it stands."""

    COMPONENT_CLASSES = BlameTable.COMPONENT_CLASSES | {f"timeline--kind-{k}" for k in EVENT_KINDS}
    blame_columns = frozenset({"event"})


class FilterInput(Input):
    BINDINGS = [Binding("escape", "clear", "Clear filter", id="timeline.clear_filter")]

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Submitted(self, ""))


class StatusLine(Widget):
    """One line of text; changing it repaints just this line (a Static's
    update would re-lay out the whole screen, ~40 ms at 10,000 rows)."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis")


class TimelinePane(Widget):
    BINDINGS = [
        Binding("a", "add_event", "Add event", id="timeline.add"),
        Binding("e", "edit_event", "Edit", id="timeline.edit"),
        Binding("x,delete", "delete_event", "Delete", id="timeline.delete"),
        Binding("c", "duplicate_event", "Duplicate", id="timeline.duplicate"),
        Binding("D", "mark('detected')", "Mark detection", id="timeline.mark_detection"),
        Binding("M", "mark('mitigated')", "Mark mitigation", id="timeline.mark_mitigation"),
        Binding("R", "mark('resolved')", "Mark resolution", id="timeline.mark_resolution"),
        Binding("slash", "filter", "Filter", id="timeline.filter"),
        Binding("l", "toggle_local", "Local time", id="timeline.local_time"),
    ]

    def __init__(self, session: EditSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.filter_text = ""
        self.show_local = False
        self._view: list[TimelineEvent] = session.pm.timeline
        self._unsubscribe = None

    @property
    def events(self) -> list[TimelineEvent]:
        return self.session.pm.timeline

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="filter: text in event, source, actor or kind · enter keep · esc clear", id="timeline-filter")
        yield TimelineTable(
            self._columns(),
            empty_text="No events yet: press a to add one, or collect them from the sources (pane 2).",
            id="timeline-table",
        )
        yield StatusLine(id="timeline-status")

    @property
    def table(self) -> TimelineTable:
        return self.query_one(TimelineTable)

    def on_mount(self) -> None:
        self._unsubscribe = self.session.subscribe(self._on_change)
        if not is_sorted(self.events):
            events = self.events
            before = list(events)
            self.session.apply(
                "timeline",
                "sort timeline",
                lambda: events.sort(key=_time_key),
                lambda: events.__setitem__(slice(None), before),
            )
        self._rebuild()

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """Put the cursor on `row` (an index into the timeline; the report's
        checklist jumps here), clearing a filter that hides it."""
        if section != "timeline":
            return False
        self.table.focus()
        if not isinstance(row, int) or not 0 <= row < len(self.events):
            return True
        target = self.events[row]
        if self._view_index(target) is None:
            box = self.query_one(FilterInput)
            box.value = ""
            self.filter_text = ""
            box.remove_class("-shown")
            self._rebuild(target)
        else:
            self.table.move_cursor(self._view_index(target))
        return True

    def focus_default(self) -> None:
        self.table.focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _local_zone(self):
        return getattr(self.app, "local_zone", None)

    def _columns(self) -> list[Column]:
        events = self.events
        multi_day = bool(events) and events[0].time.date() != events[-1].time.date()
        fractions = any(e.time.microsecond for e in events) if len(events) < 50_000 else True
        if multi_day:
            time_col = Column("time", "Time (UTC)", lambda e: format_utc(e.time), width=26 if fractions else 19)
        else:
            time_col = Column("time", "UTC", lambda e: format_clock(e.time), width=15 if fractions else 8)
        columns = [time_col]
        if self.show_local:
            zone = self._local_zone()
            columns.append(
                Column("local", "Local", lambda e: e.time.astimezone(zone).strftime("%H:%M:%S %Z"), width=14)
            )
        columns += [
            Column("event", "Event", lambda e: e.event, min_width=16),
            Column("source", "Source", lambda e: e.source, width=14),
            Column("actor", "Actor", lambda e: e.actor, width=10),
            Column(
                "kind",
                "Kind",
                lambda e: e.kind,
                width=13,
                style=lambda e: f"timeline--kind-{e.kind}" if e.kind in EVENT_KINDS else None,
            ),
        ]
        return columns

    # -- view ------------------------------------------------------------------

    def _matches(self, event: TimelineEvent, needle: str) -> bool:
        return (
            needle in event.event.lower()
            or needle in event.source.lower()
            or needle in event.actor.lower()
            or needle in event.kind.lower()
        )

    def _rebuild(self, focus: TimelineEvent | None = None) -> None:
        table = self.table
        if focus is None:
            focus = table.cursor_value
        needle = self.filter_text.strip().lower()
        if needle:
            self._view = [e for e in self.events if self._matches(e, needle)]
        else:
            self._view = self.events
        columns = self._columns()
        if [(c.key, c.width) for c in columns] != [(c.key, c.width) for c in table.columns]:
            table.set_columns(columns)
        cursor = table.cursor_row
        if focus is not None:
            found = self._view_index(focus)
            if found is not None:
                cursor = found
        table.set_rows(self._view, cursor=cursor)
        self._update_status()

    def _view_index(self, event: TimelineEvent) -> int | None:
        try:
            if self._view is self.events:
                return index_of(self.events, event)
            return next(i for i, e in enumerate(self._view) if e is event)
        except (ValueError, StopIteration):
            return None

    def _update_status(self) -> None:
        total = len(self.events)
        text = f"{total} event{'s' if total != 1 else ''} · times in UTC"
        if self.filter_text.strip():
            text += f" · filter {self.filter_text.strip()!r}: {len(self._view)} shown"
        self.query_one(StatusLine).set_text(text)

    def _on_change(self, change: Change) -> None:
        if change.area in ("timeline", "overview"):
            focus = change.focus if isinstance(change.focus, TimelineEvent) else None
            self._rebuild(focus)

    @property
    def current(self) -> TimelineEvent | None:
        return self.table.cursor_value

    # -- filter and columns ----------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "timeline-filter":
            event.stop()
            self.filter_text = event.value
            self._rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "timeline-filter":
            event.stop()
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.table.focus()

    def action_toggle_local(self) -> None:
        self.show_local = not self.show_local
        self.table.set_columns(self._columns())

    # -- editing ---------------------------------------------------------------

    def _base_date(self):
        pm = self.session.pm
        if pm.times.started is not None:
            return pm.times.started.date()
        if self.events:
            return self.events[0].time.date()
        return self.app.now().date() if hasattr(self.app, "now") else None

    def _parse_time(self, text: str) -> datetime:
        try:
            return parse_time(text, base_date=self._base_date())
        except TimeParseError as exc:
            raise ValueError(str(exc)) from None

    @staticmethod
    def _parse_event(text: str) -> str:
        if not text.strip():
            raise ValueError("say what happened, e.g. High error rate alert fires")
        return text.strip()

    def _form(self, title: str, event: TimelineEvent, callback) -> None:
        from pmtui.ui.screens.form import Field, FormScreen

        fields = [
            Field("time", "Time", format_utc(event.time), parse=self._parse_time,
                  hint="UTC unless a zone is given: 10:05:23, 2025-02-09 10:05, 10:05 Europe/Berlin"),
            Field("event", "Event", event.event, parse=self._parse_event),
            Field("source", "Source", event.source, placeholder="Prometheus, app logs, PagerDuty…"),
            Field("actor", "Actor", event.actor, placeholder="@alice, System, or blank"),
            Field("kind", "Kind", event.kind, kind="select", options=EVENT_KINDS),
        ]
        self.app.push_screen(FormScreen(title, fields), callback)

    def action_add_event(self) -> None:
        current = self.current
        if current is not None:
            when = current.time
        else:
            when = self.session.pm.times.started or self.app.now()
        draft = TimelineEvent(time=when, event="", kind=current.kind if current else "other")

        def done(values: dict | None) -> None:
            if values is None:
                return
            if not values["kind"]:
                values["kind"] = "other"
            new = TimelineEvent(**values)
            self.insert_event(new, after=current)

        self._form("Add event", draft, done)

    def insert_event(self, new: TimelineEvent, *, after: TimelineEvent | None = None, label: str = "add event") -> None:
        events = self.events
        if after is not None and after.time == new.time:
            index = index_of(events, after) + 1
        else:
            index = bisect_right(events, new.time, key=_time_key)

        def do() -> None:
            events.insert(index, new)

        def undo() -> None:
            del events[index_of(events, new)]

        self.session.apply("timeline", label, do, undo, focus=new)

    def action_edit_event(self) -> None:
        event = self.current
        if event is None:
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            if not values["kind"]:
                values["kind"] = "other"
            self.update_event(event, values)

        self._form("Edit event", event, done)

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        self.action_edit_event()

    def update_event(self, event: TimelineEvent, values: dict[str, Any]) -> bool:
        """Set fields of one event as one undoable edit, moving it to its
        place in time; False when nothing changed."""
        changed = {k: v for k, v in values.items() if getattr(event, k) != v}
        if not changed:
            return False
        old = {k: getattr(event, k) for k in changed}
        events = self.events
        old_index = index_of(events, event)

        def do() -> None:
            del events[index_of(events, event)]
            for key, value in changed.items():
                setattr(event, key, value)
            if "time" in changed:
                events.insert(bisect_right(events, event.time, key=_time_key), event)
            else:
                events.insert(old_index, event)

        def undo() -> None:
            del events[index_of(events, event)]
            for key, value in old.items():
                setattr(event, key, value)
            events.insert(old_index, event)

        label = "edit event time" if "time" in changed else "edit event"
        self.session.apply("timeline", label, do, undo, focus=event)
        return True

    def action_delete_event(self) -> None:
        event = self.current
        if event is None:
            return
        events = self.events
        index = index_of(events, event)

        def do() -> None:
            del events[index_of(events, event)]

        def undo() -> None:
            events.insert(index, event)

        # The deleted row is gone from the view, so the cursor keeps its
        # index and lands on the row after it; undo puts it back on the row.
        self.session.apply("timeline", "delete event", do, undo, focus=event)

    def action_duplicate_event(self) -> None:
        event = self.current
        if event is None:
            return
        self.insert_event(copy.copy(event), after=event, label="duplicate event")

    def action_mark(self, field: str) -> None:
        event = self.current
        if event is None:
            return
        kind, label = MARKS[field]
        times = self.session.pm.times
        old_time, old_kind = getattr(times, field), event.kind

        def do() -> None:
            setattr(times, field, event.time)
            event.kind = kind

        def undo() -> None:
            setattr(times, field, old_time)
            event.kind = old_kind

        # Area "overview": the incident times (and so TTD/TTM/TTR) change.
        self.session.apply("overview", label, do, undo, focus=event)
