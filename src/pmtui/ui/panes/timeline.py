"""The timeline: every event of the incident in UTC order, edited by key.

Rows live in `pm.timeline`, kept sorted at all times (pmtui.edits.timeline:
an edit that moves a row in time moves it in the list inside the same
undoable step), so the table is always just a view of that list (or of its
filtered subset, or its key rows).

A row is a key moment (`key = true`, the report's short timeline) by one
key, undoable like every edit, and marked in its own column; the view can
show the key rows alone. A row collected from the sources holds evidence
references: one key opens the evidence viewer at the place they name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from operator import attrgetter
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input

from pmtui.edits import timeline as edits
from pmtui.edits.timeline import MarkField, index_of
from pmtui.model import EVENT_KINDS, TimelineEvent
from pmtui.rowfilter import RowFilter, matches
from pmtui.session import Area, Change, EditSession
from pmtui.textsafe import one_line, printable
from pmtui.timeparse import TimeParseError, format_clock, format_utc, parse_time
from pmtui.ui.messages import RowChosen, RowHighlighted
from pmtui.ui.panes.base import Pane, PaneContext
from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.detail import DetailPanel
from pmtui.ui.widgets.handoff import HandOffInput
from pmtui.ui.widgets.table import Column

# Kinds as the narrow Kind column writes them (the detail panel says them whole).
SHORT_KINDS = {"communication": "comms"}


class TimelineTable(BlameTable):
    """Blame language in an event is marked where it stands."""

    COMPONENT_CLASSES = BlameTable.COMPONENT_CLASSES | {f"timeline--kind-{k}" for k in EVENT_KINDS} | {
        "timeline--key", "timeline--key-mark"}
    blame_columns = frozenset({"event"})

KEY_MARK = "\u2726"  # a four-pointed star, one cell wide in every terminal font (not East Asian ambiguous)


class FilterInput(HandOffInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", id="timeline.clear_filter"),
    ]

    def _watch_value(self, value: str) -> None:
        # Textual's watcher assigns virtual_size (the text's width + 1), a
        # reactive with layout=True: every keystroke re-laid out the whole
        # screen (a third of a keystroke's frame). Only this box's own
        # scrolling depends on it (textual is pinned: set_reactive, _scroll_update).
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        self._scroll_update(self.virtual_size)
        super()._watch_value(value)

    def hand_off_target(self) -> Widget | None:
        # Enter keeps the filter; the keys typed right after it go to the table.
        # This pane's own: a query by type from the screen also finds the
        # Report pane's preview table (its class has the same name, and
        # Textual matches types by name), hidden, and keys went there.
        for node in self.ancestors:
            if isinstance(node, TimelinePane):
                return node.table
        return None

    def action_clear(self) -> None:
        self.value = ""
        # The focus moves now, as escape is handled (Widget.focus would move
        # it later, after the key typed next: Esc then / typed fast put the
        # / in this box instead of opening the filter again).
        target = self.hand_off_target()
        if target is not None:
            self.remove_class("-shown")
            self.screen.set_focus(target)
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


# Seconds of filtering per step: the first step looks only for the rows of
# the first screen (RowFilter.run's `want`), the rest streams in, a step at
# a time between frames (100,000 rows take a few dozen milliseconds in all).
FILTER_SLICE = 0.004


_KEY = attrgetter("key")
# Every field a column or the row style reads (VirtualTable.row_version): a
# line drawn before is reused while these are equal (at C speed, instead of
# formatting every cell of every row on screen to compare).
ROW_VERSION = attrgetter("time", "event", "source", "actor", "kind", "key")
KEY_COUNT_AFTER = 20_000
KEY_COUNT_STEP = 20_000  # about 1 ms


class TimelinePane(Pane):
    pane_name = "timeline"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_event", "Add event", id="timeline.add"),
        Binding("e", "edit_event", "Edit", id="timeline.edit"),
        Binding("x,delete", "delete_event", "Delete", id="timeline.delete"),
        Binding("v", "view", "View in full", id="timeline.view"),
        Binding("D", "mark('detected')", "Mark detection", id="timeline.mark_detection"),
        Binding("M", "mark('mitigated')", "Mark mitigation", id="timeline.mark_mitigation"),
        Binding("R", "mark('resolved')", "Mark resolution", id="timeline.mark_resolution"),
        Binding("d", "duplicate_event", "Duplicate", id="timeline.duplicate"),
        Binding("slash", "filter", "Filter", id="timeline.filter"),
        Binding("l", "toggle_local", "Local time", id="timeline.local_time"),
        Binding("asterisk", "toggle_key", "Key moment", id="timeline.key"),
        # t: key rows or all, as in the Report pane; o opens, as everywhere.
        Binding("t", "toggle_key_view", "Key rows/all", id="timeline.key_rows"),
        Binding("o", "open_evidence", "Evidence", id="timeline.open"),
    ]

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(session, context, **kwargs)
        self.filter_text = ""
        self.key_only = False  # the view shows the key rows alone
        self.show_local = False
        self._view: list[TimelineEvent] = self.session.pm.timeline
        self._filter: RowFilter | None = None  # the filter being computed or last computed
        self._filter_pending = False  # text typed in the box, not yet applied (see _filter_later)
        self._cursor_row_due: TimelineEvent | None = None  # the cursor's row, not yet found by the filter
        # finished results (rows, their search texts) by (needle, key rows only), until the timeline changes
        self._filtered: dict[tuple[str, bool], tuple[list[TimelineEvent], list[str | None] | None]] = {}
        self._keys: tuple[int, int] | None = None  # (rows counted, key rows among them), until a change
        self._keys_shown = 0  # the count last shown (while a big timeline's is counted after the frame)
        self._recount = False  # a count is due after the next frame
        self._loading: tuple[int, int] | None = None  # (rows read, expected) while the file is read

    @property
    def events(self) -> list[TimelineEvent]:
        return self.session.pm.timeline

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        clear = self.key("timeline.clear_filter", owner=FilterInput)
        yield FilterInput(
            placeholder=f"filter: text in event, source, actor or kind · enter keep · {clear} clear",
            id="timeline-filter",
        )
        yield TimelineTable(
            self._columns(),
            empty_text=f"No events yet: press {self.key('timeline.add')} to add one, "
            f"or collect them from the sources (pane {self.key('go.collect')}).",
            row_style=lambda e: "timeline--key" if e.key else None,
            row_version=ROW_VERSION,
            id="timeline-table",
        )
        yield DetailPanel(more=f"{self.key('timeline.view')} shows all", id="timeline-detail")
        yield StatusLine(id="timeline-status")

    @property
    def table(self) -> TimelineTable:
        return self.query_one(TimelineTable)

    def on_mount(self) -> None:
        self._sort()
        self._rebuild()

    def _sort(self) -> None:
        """A hand-edited file may be out of order: sorted once read (a big
        file's rows are still being added while the first screen shows)."""
        if self.session.held(Area.TIMELINE) is None:
            self.session.run(edits.sort_events(self.session.pm))

    def loading_progress(self, state: tuple[int, int] | None) -> None:
        self._loading = state
        if state is None:
            self._sort()
            return  # the "read" change that follows rebuilds the view
        if self._view is self.events:
            self.table.set_rows(self._view)
        elif self._filter is not None:
            self._filter.more(self.events)
            self._continue_filter()
        self._update_status()

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """Put the cursor on `row` (an index into the timeline; the report's
        checklist jumps here), clearing a filter that hides it."""
        if section != "timeline":
            return False
        self.table.focus()
        if not isinstance(row, int) or not 0 <= row < len(self.events):
            return True
        target = self.events[row]
        shown = self._view_index(target)
        if shown is None:
            box = self.query_one(FilterInput)
            box.value = ""
            self.filter_text = ""
            self.key_only = False
            box.remove_class("-shown")
            self._rebuild(target)
        else:
            self.table.move_cursor(shown)
        return True

    def focus_default(self) -> None:
        self.table.focus()

    def _columns(self, focus: TimelineEvent | None = None) -> list[Column]:
        # Times show to the second: fractions (and the date of a one-day
        # incident) are in the detail panel, so one precise row does not
        # widen the column for every row. At 80 columns the event gets what
        # the others can spare.
        events = self.events
        multi_day = bool(events) and events[0].time.date() != events[-1].time.date()
        narrow = (self.size.width or self.app.size.width) < 100
        if multi_day:
            time_col = Column("time", "Time (UTC)", lambda e: format_utc(e.time.replace(microsecond=0)), width=19)
        else:
            time_col = Column("time", "UTC", lambda e: format_clock(e.time.replace(microsecond=0)), width=8)
        columns = [
            Column("key", KEY_MARK, lambda e: KEY_MARK if e.key else "", width=1,
                   style=lambda e: "timeline--key-mark" if e.key else None),
            time_col,
        ]
        if self.show_local:
            zone = self.context.local_zone
            columns.append(
                Column("local", "Local", lambda e: e.time.astimezone(zone).strftime("%H:%M:%S %Z"), width=14)
            )
        columns += [
            Column("event", "Event", lambda e: e.event, min_width=16),
            Column("source", "Source", lambda e: e.source, width=12 if narrow else 14),
            Column("actor", "Actor", lambda e: e.actor, width=9 if narrow else 10),
            Column(
                "kind",
                "Kind",
                (lambda e: SHORT_KINDS.get(e.kind, e.kind)) if narrow else (lambda e: e.kind),
                width=10 if narrow else 13,
                style=lambda e: f"timeline--kind-{e.kind}" if e.kind in EVENT_KINDS else None,
            ),
        ]
        return columns

    def on_resize(self) -> None:
        self._rebuild()

    def selection_detail(self) -> tuple[str, Text] | None:
        event = self.current
        if event is None:
            return None
        return f"Event at {format_utc(event.time)} UTC", self._describe(event)

    def _describe(self, event: TimelineEvent) -> Text:
        text = Text(printable(event.event, multiline=True) or "(no text)")
        facts = [f"{format_utc(event.time)} UTC", event.kind]
        if self.show_local:
            facts.append(event.time.astimezone(self.context.local_zone).strftime("%Y-%m-%d %H:%M:%S %Z"))
        facts += [f"source {event.source}" if event.source else "no source",
                  f"actor {event.actor}" if event.actor else "no actor"]
        text.append("\n")
        text.append(one_line(" \u00b7 ".join(facts)), style="dim")
        return text

    def _show_detail(self) -> None:
        event = self.current
        panel = self.query_one(DetailPanel)
        if event is None:
            panel.show(Text(f"{self.key('timeline.add')} adds an event.", style="dim"))
        else:
            panel.show(self._describe(event))

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        message.stop()
        self._cursor_row_due = None  # the cursor was moved: it stays where it was put
        self._show_detail()
        self._update_status()

    # -- view ------------------------------------------------------------------

    def _rebuild(self, focus: TimelineEvent | None = None, *, changed: bool = True,
                 budget: float | None = FILTER_SLICE) -> None:
        """Show the rows again. `changed`: the timeline changed (finished
        filter results no longer hold); False for a new filter text. A
        filter's first step looks for the first screen's rows (and the one
        under the cursor) for up to `budget` seconds (None: until found)."""
        table = self.table
        self._filter_pending = False  # the text as it is now is applied here
        if focus is None:
            focus = table.cursor_value
        if changed:
            self._filtered.clear()
            self._keys = None
        needle = self.filter_text.strip().lower()
        self._cursor_row_due = None
        shows = True
        if needle or self.key_only:
            want = table.cursor_row + max(1, table.scrollable_content_region.height)
            shows = focus is not None and (focus.key or not self.key_only) and matches(focus, needle)
            self._view = self._start_filter(needle, changed, want, budget, focus if shows else None)
        else:
            self._filter = None
            self._view = self.events
        if self.key_only:
            table.empty_text = (f"No key moments yet: {self.key('timeline.key')} marks the row under the cursor; "
                                f"{self.key('timeline.key_rows')} shows every row.")
        else:
            table.empty_text = (f"No events yet: press {self.key('timeline.add')} to add one, "
                                f"or collect them from the sources (pane {self.key('go.collect')}).")
        columns = self._columns(focus)
        if [(c.key, c.width) for c in columns] != [(c.key, c.width) for c in table.columns]:
            table.set_columns(columns)
        cursor = table.cursor_row
        if not changed and not shows:
            # A new text hides the cursor's row: the first row that matches
            # (its index in the view before meant nothing here, and how far
            # the first step got decided which row it landed on).
            cursor = 0
        elif focus is not None:
            found = self._view_index(focus)
            if found is not None:
                cursor = found
            elif self._filter is not None and not self._filter.done and self._view is self._filter.out:
                self._cursor_row_due = focus  # it streams in later: the cursor goes to it then
        table.set_rows(self._view, cursor=cursor)
        self._update_status()
        self._show_detail()

    # -- the filter: narrowed as typed, its results streaming in ------------------

    def _start_filter(self, needle: str, changed: bool, want: int, budget: float | None,
                      until: TimelineEvent | None) -> list[TimelineEvent]:
        """The rows matching `needle`, as far as the first `want` of them and
        the row `until` (within `budget`); the rest are added between frames
        (RowFilter)."""
        key_only = self.key_only
        done = self._filtered.get((needle, key_only))
        if done is not None:
            self._filter = RowFilter(needle, [], key_only=key_only)
            self._filter.out, texts = done
            if texts is not None:
                self._filter.out_texts = texts
            return self._filter.out
        previous = self._filter
        if (not changed and previous is not None and needle.startswith(previous.needle)
                and previous.key_only <= key_only):
            # More typed: only what matched so far, and what is not looked at yet, can match.
            job = previous.narrowed(needle, key_only=key_only)
        else:
            # The rows as they are now (RowFilter reads them in place): a big
            # file's timeline may still grow, and `more` hands over what it adds.
            start: list[TimelineEvent] = self.events
            start_texts: list[str | None] | None = None
            best = max((k for k in self._filtered if needle.startswith(k[0]) and k[1] <= key_only),
                       key=lambda k: (len(k[0]), k[1]), default=None)
            if best is not None:
                start, start_texts = self._filtered[best]
            job = RowFilter(needle, [start], key_only=key_only, texts=[start_texts])
            job._seen = len(self.events)
        self._filter = job
        job.run(budget, want=want, until=until)
        if job.done:
            self._filter_done(job)
        else:
            # The rest after the frame that shows the first screen (the
            # steps started at once came before it, 4 ms each: the rows
            # showed 20-40 ms after the keystroke instead of one frame).
            self.after_refresh(self._continue_filter)
        return job.out

    def _continue_filter(self) -> None:
        job = self._filter
        if job is not None and not job.done:
            self.run_worker(self._filter_rest(job), group="filter", exclusive=True)

    async def _filter_rest(self, job: RowFilter) -> None:
        while not job.done and job is self._filter:
            await asyncio.sleep(0)
            found, shown = len(job.out), self.table.cursor_value
            job.run(FILTER_SLICE)
            if job is self._filter:
                due, cursor = self._cursor_row_due, None
                if due is not None:
                    cursor = next((i for i in range(found, len(job.out)) if job.out[i] is due), None)
                    if cursor is not None:
                        self._cursor_row_due = None
                self.table.set_rows(self._view, cursor=cursor)
                if self.table.cursor_value is not shown:  # the first row found, or the cursor's
                    self._show_detail()
                self._update_status()
        if job is self._filter:
            self._filter_done(job)

    def _filter_done(self, job: RowFilter) -> None:
        if self._loading is None:
            self._filtered[(job.needle, job.key_only)] = (job.out, job.texts())
        self._update_status()

    def _view_index(self, event: TimelineEvent) -> int | None:
        try:
            if self._view is self.events:
                return index_of(self.events, event)
            return next(i for i, e in enumerate(self._view) if e is event)
        except (ValueError, StopIteration):
            return None

    def _key_count(self) -> int:
        """How many rows are key moments: counted at C speed once, then only
        in rows a big file's reader added, until the timeline changes (the
        status line is told on every cursor move). From KEY_COUNT_AFTER rows
        on, a count after an edit is made after the edit's frame, in steps
        of KEY_COUNT_STEP rows (all at once it took 4-5 ms at 100,000 rows,
        which a key typed next waited for): the frame shows the count before it."""
        events = self.events
        if self._keys is None and len(events) >= KEY_COUNT_AFTER:
            if not self._recount:
                self._recount = True
                self.after_refresh(self._count_keys)
            return self._keys_shown
        return self._count_now()

    def _count_keys(self) -> None:
        self._recount = False
        if self._keys is None and self.is_attached:
            self.run_worker(self._count_in_steps(), group="key-count", exclusive=True)

    async def _count_in_steps(self) -> None:
        events = self.events
        counted, keys = 0, 0
        while counted < len(events):
            if self._keys is not None or events is not self.events:
                return  # counted meanwhile (a small timeline's count at once)
            end = counted + KEY_COUNT_STEP
            keys += sum(map(_KEY, events[counted:end]))
            counted = min(end, len(events))
            await asyncio.sleep(0)
            if self._recount:
                return  # the timeline changed meanwhile: a count after the next frame starts over
        if self._keys is None and events is self.events:
            self._keys = (counted, keys)
            if keys != self._keys_shown:
                self._update_status()

    def _count_now(self) -> int:
        events = self.events
        counted, keys = self._keys or (0, 0)
        if counted > len(events):
            counted, keys = 0, 0
        if counted < len(events):
            keys += sum(map(_KEY, events[counted:]))
            self._keys = (len(events), keys)
        self._keys_shown = keys
        return keys

    def _update_status(self) -> None:
        total = len(self.events)
        keys = self._key_count()
        if self._loading is not None:
            text = f"reading the file: {total:,} of about {self._loading[1]:,} events · times in UTC"
        else:
            text = (f"{total} event{'s' if total != 1 else ''}, {keys} key moment{'s' if keys != 1 else ''}"
                    " · times in UTC")
        if self.key_only:
            text += f" · key rows only ({self.key('timeline.key_rows')}: all)"
        if self.filter_text.strip():
            more = "" if self._filter is None or self._filter.done else "+ (still looking)"
            text += f" · filter {self.filter_text.strip()!r}: {len(self._view)}{more} shown"
        current = self.current
        if current is not None and current.evidence:
            n = len(current.evidence)
            text += f" · {n} evidence ref{'s' if n != 1 else ''} ({self.key('timeline.open')} opens)"
        self.query_one(StatusLine).set_text(text)

    def on_change(self, change: Change) -> None:
        if change.area in (Area.TIMELINE, Area.OVERVIEW):
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
            # A collection landed in a keystroke's frame in one run of three
            # at 100,000 rows (a gen-0 pass of 10-14 ms over what the filter
            # made): the collector waits until the typing has paused.
            self.context.hold_collector()
            self.filter_text = event.value
            self._filter_later(event.input)

    def _filter_later(self, box: Widget) -> None:
        """Apply the text typed once the keys typed so far are handled: the
        characters of a burst are filtered once, after the last of them
        (OrderedKeys.after_keys), and before any key that goes elsewhere
        (enter, x, e, arrows... read the rows or the cursor: `/ api enter x`
        typed in one burst deletes a row that matches, never one of the
        view of an older text). Put off to the frame after the keystroke's
        instead, the rows came 17-33 ms after the box showed the character
        (Textual's update timer, paused when idle, ticks again one to two
        periods after a frame; measured at 100,000 rows)."""
        after_keys = getattr(self.app, "after_keys", None)
        if after_keys is None:  # an app without ordered keys: at once
            self._rebuild(changed=False)
            return
        self._filter_pending = True
        after_keys(box, self.flush_filter)

    def flush_filter(self, key_waiting: bool = False) -> None:
        """The text typed applied now, if it is not yet; with `key_waiting`
        (a key that may read the rows is about to be handled) as far as the
        first screen and the row under the cursor, however long that takes."""
        if self._filter_pending and self.is_attached:
            self._rebuild(changed=False, budget=None if key_waiting else FILTER_SLICE)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "timeline-filter":
            event.stop()
            if not event.value.strip():
                event.input.remove_class("-shown")
            if self.screen.focused is event.input:
                self.screen.set_focus(self.table)  # now, not after the next key (Widget.focus defers it)

    def action_toggle_key_view(self) -> None:
        self.key_only = not self.key_only
        self._rebuild()

    def action_toggle_local(self) -> None:
        self.show_local = not self.show_local
        self.table.set_columns(self._columns())

    # -- editing ---------------------------------------------------------------

    def _base_date(self) -> date:
        pm = self.session.pm
        if pm.times.started is not None:
            return pm.times.started.date()
        if self.events:
            return self.events[0].time.date()
        return self.context.now().date()

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

    def _form(self, title: str, event: TimelineEvent, callback: Callable[[dict[str, Any] | None], None]) -> None:
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
        when = current.time if current is not None else self.session.pm.times.started or self.context.now()
        draft = TimelineEvent(time=when, event="", kind=current.kind if current else "other")

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            if not values["kind"]:
                values["kind"] = "other"
            new = TimelineEvent(**values)
            self.insert_event(new, after=current)

        self._form("Add event", draft, done)

    def insert_event(self, new: TimelineEvent, *, after: TimelineEvent | None = None, label: str = "add event") -> None:
        self.session.run(edits.insert_event(self.session.pm, new, after=after, label=label))

    def action_edit_event(self) -> None:
        event = self.current
        if event is None:
            return

        def done(values: dict[str, Any] | None) -> None:
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
        return self.session.run(edits.update_event(self.session.pm, event, values))

    def action_delete_event(self) -> None:
        event = self.current
        if event is None:
            return
        # The deleted row is gone from the view, so the cursor keeps its
        # index and lands on the row after it; undo puts it back on the row.
        self.session.run(edits.delete_event(self.session.pm, event))

    def action_duplicate_event(self) -> None:
        event = self.current
        if event is None:
            return
        self.session.run(edits.duplicate_event(self.session.pm, event))

    def action_toggle_key(self) -> None:
        event = self.current
        if event is None:
            return
        cursor = self.table.cursor_row
        self.session.run(edits.toggle_key(self.session.pm, event))
        if self.key_only and not event.key:
            # Unmarked in the key view: the row leaves it; the cursor stays put.
            self.table.move_cursor(cursor)

    def action_open_evidence(self) -> None:
        """The evidence of the row under the cursor, at the place its
        references name (several: the viewer steps through them)."""
        event = self.current
        if event is None:
            return
        if not event.evidence:
            self.notify("This row has no evidence references: rows accepted from the Collect pane keep theirs "
                        f"(pane {self.key('go.collect')}).", timeout=4)
            return
        from pmtui.sources.evidence import parse_ref

        doc_path = self.context.document_path()
        if doc_path is None:
            self.notify("This post-mortem has no file yet: save it first.", severity="warning")
            return
        records = {ev.id: ev for ev in self.session.pm.evidence}
        targets = []
        missing = []
        for raw in event.evidence:
            ref = parse_ref(raw)
            record = records.get(ref.id)
            if record is None:
                missing.append(ref.id)
            else:
                targets.append((record, ref))
        if not targets:
            self.notify(f"No [[evidence]] record holds {', '.join(missing)}: collect again to bring it back.",
                        severity="warning", timeout=6)
            return
        from pmtui.ui.screens.evidence import EvidenceScreen

        first, ref = targets[0]
        self.app.push_screen(EvidenceScreen(first, doc_path.parent, ref, when=event.time,
                                            times=self.session.pm.times, targets=targets))

    def action_mark(self, field: MarkField) -> None:
        event = self.current
        if event is None:
            return
        self.session.run(edits.mark_event(self.session.pm, event, field))
