"""The overview: metadata, incident times, summary, impact, trigger and
root cause, and the team's own fields (overview_team), as one form.

The form (some 25 fields, over two hundred widgets) costs more to build
and style than the rest of the app's first frame together, so the pane
first shows every field as text in the form's layout (one widget), then
builds the form a few rows per frame after that one (each row's widgets
mounted level by level, so its editor is in the DOM at once). A key that
needs a field not built yet (tab, enter, ctrl+up/down, a checklist jump)
builds up to that field's section first; keys are handled in order
(ui/keyorder.py), so the keys typed after it wait for it.

A field's text becomes an undoable edit when it is left (tab, escape, a
click elsewhere) or submitted with enter; a select's choice at once. Text
that does not parse stays where it was typed, with the reason under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from pmtui.model import SEVERITIES, STATUSES
from pmtui.session import Area, Change, EditSession
from pmtui.textsafe import printable
from pmtui.timeparse import TimeParseError, format_utc, parse_date, parse_optional_time, parse_time
from pmtui.ui.keys import capitalized
from pmtui.ui.panes.base import Pane, PaneContext
from pmtui.ui.panes.overview_fields import OverviewField

if TYPE_CHECKING:
    from textual.widget import AwaitMount
    from textual.widgets import Input, Select, Static

WIDE = 150  # columns from which the sections sit side by side
LABEL_WIDTH = 16  # .overview--label in overview.tcss
TEXT_LINES = 4  # .overview--field TextArea height at the narrow size
WIDE_TEXT_LINES = 6  # and from WIDE columns on
# Rows of the form built per frame while it is first shown (a text area
# counts two). At 100,000 events, 120x40, a step of 3 rows: 4-9 ms of CPU
# to mount and style them, 7-23 ms to lay out and paint the frame; the loop
# blocked at worst 25-33 ms in all (6 rows a step: 47-58 ms). The form is
# whole after 0.5-0.6 s (6 rows: 0.5 s).
ROWS_PER_FRAME = 3
STEP_GAP = 0.001  # seconds between a step's frame and the next step


def _list_show(values: list[str]) -> str:
    return ", ".join(values)


def _list_parse(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _int_parse(text: str) -> int | None:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    try:
        value = int(cleaned)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a whole number, e.g. 40000 or 40,000") from None
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _data_lost_show(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _data_lost_parse(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text)


class OverviewPane(Pane):
    pane_name = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit_fields", "Edit the fields", id="overview.edit"),
        Binding("escape", "leave_field", "Leave field", id="overview.leave"),
        Binding("ctrl+down", "section(1)", "Next section", id="overview.next_section"),
        Binding("ctrl+up", "section(-1)", "Previous section", id="overview.previous_section"),
    ]

    SECTIONS: tuple[str, ...] = ("Incident", "Times (UTC)", "Impact", "What happened", "Team")

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(session, context, **kwargs)
        self.fields = self._fields()
        self._by_name = {f.name: f for f in self.fields}
        self._form: Widget | None = None  # the VerticalScroll, built after the first frame
        self._grid: Widget | None = None  # in it, the sections, mounted a few rows at a time
        self._boxes: list[Widget] = []  # the sections, mounted with the form's frame
        self._rows: list[Widget] = []  # the form's rows (and the sign-off line), empty until filled
        self._filled = 0  # how many of them are filled
        self._plan = self._build_plan()  # the form's rows, in order
        self._built = 0  # how many of them are mounted
        self._mounting: list[Awaitable[None]] = []  # the mounts a key may have to wait for
        # Set once the form is mounted and laid out (wrapped at its width).
        self.form_shown = asyncio.Event()
        # What the model held when each field was last filled in: a change
        # refreshes only fields whose model value moved since (undo, a mark
        # from the timeline), never one a person is busy with.
        self._shown: dict[str, str] = {}

    # -- the fields ------------------------------------------------------------

    def _date_parse(self, text: str) -> date | None:
        if not text.strip():
            return None
        try:
            return parse_date(text, today=self.context.now().date())
        except TimeParseError as exc:
            raise ValueError(str(exc)) from None

    def _shared_parse(self, text: str) -> datetime | None:
        # TimeParseError is a ValueError: shown under the field, text kept.
        return parse_optional_time(text, base_date=self.session.pm.incident_date)

    # Where each checklist section is edited in this pane.
    FIELD_FOR_SECTION: ClassVar[dict[str, str]] = {
        "header": "follow_up",
        "durations": "started",
        "summary": "summary",
        "impact": "impact",
        "root_cause": "root_cause",
        "prevention": "prevention",
    }

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """Focus the field a check concerns (the report's checklist jumps here)."""
        team_field = {"custom": f"custom-{row}", "roles": f"role-{row}"}.get(section)
        name = team_field or (str(row) if isinstance(row, str) and row in self._by_name else None)
        name = name if name in self._by_name else self.FIELD_FOR_SECTION.get(section)
        if name is None:
            return False
        # The form up to the field's section now, the rest in steps as usual.
        last = self.SECTIONS.index(self._by_name[name].section)
        while not self._built_through(last) and self._add_rows(1):
            pass

        def focus() -> None:
            # The form may have been mounted just now: find the editor once
            # it is in the DOM.
            editors = self.query(f"#ov-{name}")
            if editors:
                editors.first().focus()
                editors.first().scroll_visible(animate=False)

        self.after_refresh(focus)
        return True

    def _time_parse(self, which: str) -> Callable[[str], datetime | None]:
        order = ("started", "detected", "mitigated", "resolved")

        def parse(text: str) -> datetime | None:
            if not text.strip():
                return None
            times = self.session.pm.times
            base = times.started or times.detected or self.context.now()
            try:
                value = parse_time(text, base_date=base.date() if base else None)
            except TimeParseError as exc:
                raise ValueError(str(exc)) from None
            if which != "started" and times.started is not None and value < times.started:
                raise ValueError(f"{which} {format_utc(value)} is before the start, {format_utc(times.started)}")
            later = [o for o in order[order.index(which) + 1 :] if getattr(times, o) is not None]
            if which == "started":
                for other in later:
                    if getattr(times, other) < value:
                        raise ValueError(
                            f"start {format_utc(value)} is after {other} {format_utc(getattr(times, other))}"
                        )
            return value

        return parse

    def _fields(self) -> list[OverviewField]:
        def required(label: str, example: str) -> Callable[[str], str]:
            def parse(text: str) -> str:
                if not text.strip():
                    raise ValueError(f"{label} is required, e.g. {example}")
                return text.strip()

            return parse

        from pmtui.ui.panes import overview_team

        team = self.context.team
        me = lambda pm: pm  # noqa: E731
        times = lambda pm: pm.times  # noqa: E731
        impact = lambda pm: pm.impact  # noqa: E731
        time_show = lambda v: format_utc(v) if v else ""  # noqa: E731
        f = OverviewField
        fields = [
            f("title", "Title", "Incident", "input", lambda p: p.title, me, "title",
              parse=required("title", "API service degradation")),
            f("id", "Id", "Incident", "input", lambda p: p.id, me, "id", parse=str.strip, placeholder="PM-2025-02-09"),
            f("status", "Status", "Incident", "select", lambda p: p.status, me, "status", options=STATUSES,
              parse=lambda t: t or "draft"),
            f("severity", "Severity", "Incident", "select", lambda p: p.severity, me, "severity",
              options=tuple(s.name for s in team.severities) or SEVERITIES, parse=lambda t: t,
              labels=overview_team.severity_labels(team), hint=lambda v: overview_team.severity_hint(team, v)),
            f("authors", "Authors", "Incident", "input", lambda p: p.authors, me, "authors",
              show=_list_show, parse=_list_parse, placeholder="@alice, @bob"),
            f("reviewers", "Reviewers", "Incident", "input", lambda p: p.reviewers, me, "reviewers",
              show=_list_show, parse=_list_parse),
            f("services", "Services", "Incident", "input", lambda p: p.services, me, "services",
              show=_list_show, parse=_list_parse, placeholder="api-service, postgres"),
            f("related", "Related", "Incident", "input", lambda p: p.related, me, "related",
              show=_list_show, parse=_list_parse, placeholder="ids of related post-mortems: PM-2024-11-02"),
            f("reviewed", "Reviewed", "Incident", "input", lambda p: p.reviewed, me, "reviewed",
              parse=self._date_parse, placeholder="2025-02-10, today"),
            f("follow_up", "Follow-up", "Incident", "input", lambda p: p.follow_up, me, "follow_up",
              parse=self._date_parse, placeholder="(a review 3 to 6 weeks after the incident)"),
            f("shared", "Shared", "Incident", "input", lambda p: p.shared, me, "shared", show=time_show,
              parse=self._shared_parse, placeholder="(when the report went to stakeholders, UTC)"),
        ]
        for which in ("started", "detected", "mitigated", "resolved"):
            fields.append(
                f(which, which.capitalize(), "Times (UTC)", "input", (lambda w: lambda p: getattr(p.times, w))(which),
                  times, which, show=time_show, parse=self._time_parse(which), placeholder="2025-02-09 10:05:23")
            )
        fields += [
            f("impact", "Description", "Impact", "text", lambda p: p.impact.description, impact, "description",
              parse=lambda t: t.strip()),
            f("failed_requests", "Failed requests", "Impact", "input", lambda p: p.impact.failed_requests, impact,
              "failed_requests", parse=_int_parse, placeholder="40000"),
            f("users_affected", "Users affected", "Impact", "input", lambda p: p.impact.users_affected, impact,
              "users_affected", parse=_int_parse, placeholder="2000"),
            f("revenue", "Revenue", "Impact", "input", lambda p: p.impact.revenue, impact, "revenue",
              parse=str.strip, placeholder="~$5,000 (estimated)"),
            f("data_lost", "Data lost", "Impact", "select", lambda p: p.impact.data_lost, impact, "data_lost",
              show=_data_lost_show, parse=_data_lost_parse, options=("yes", "no")),
            f("summary", "Summary", "What happened", "text", lambda p: p.summary, me, "summary",
              parse=lambda t: t.strip()),
            f("trigger", "Trigger", "What happened", "text", lambda p: p.trigger, me, "trigger",
              parse=lambda t: t.strip()),
            f("root_cause", "Root cause", "What happened", "text", lambda p: p.root_cause, me, "root_cause",
              parse=lambda t: t.strip()),
            f("immediate_cause", "Immediate cause", "What happened", "text", lambda p: p.immediate_cause, me,
              "immediate_cause", parse=lambda t: t.strip()),
            f("prevention", "Prevention", "What happened", "text", lambda p: p.prevention, me, "prevention",
              parse=lambda t: t.strip()),
        ]
        fields += overview_team.team_fields(team, lambda: self.context.now().date())
        return fields

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield OverviewBar(self, id="overview-bar")
        yield OverviewSummary(self, id="overview-summary")

    def _build_form(self) -> None:
        """Every part of the form now (those not built yet): something
        needs any editor at once (one asked for by name, sign-off)."""
        while self._add_rows(len(self._plan)):
            pass

    def _build_form_steps(self) -> None:
        """The form a few rows per frame. At 100,000 events the form built
        in one go (over 200 widgets) blocked 54-98 ms: three full layouts of
        it in a row (mounted, the summary removed, the text areas wrapped
        again), 25-35 ms each, and the first paint of every widget on
        screen. In steps of ROWS_PER_FRAME rows (a text area counts two),
        each frame styles, lays out and paints a few new rows; the garbage
        collector waits until the last step is drawn. A step waits for the
        frame before it and then lets the loop run once: a key that came
        during the frame (20-26 ms) is read before the next step's 5-15 ms,
        not after both. benchmarks/bench_timeline.py --only switch."""
        self.context.hold_collector()
        # The form's frame a step of its own (some 45 widgets to mount and
        # style: 12-17 ms), out of sight until the first rows are in.
        budget = ROWS_PER_FRAME if self._grid is not None else 0
        if self._add_rows(budget) and self.building:
            self.after_refresh(self._next_step)

    def _next_step(self) -> None:
        self.set_timer(STEP_GAP, self._build_form_steps)

    @property
    def building(self) -> bool:
        """Some of the form is still to be built."""
        return self._built < len(self._plan)

    def _add_rows(self, budget: int) -> bool:
        """Mount the form's next rows, `budget` of them (a text area counts
        two; the form's frame and the summary's removal come with the
        first); False when none is left or the pane is going. Every widget
        mounted is in the DOM on return (a key handled next finds its
        editor), its mounting runs on."""
        # Deferred past a frame, so the app may be closing (a quit pressed
        # at once) or the pane already gone: nothing to build then.
        # A pane being removed is still attached while Textual prunes it
        # (textual is pinned): its widgets then take no more children.
        gone = not self.is_attached or self._pruning or self._closing
        if not self.building or gone or self.app.return_code is not None:
            return False
        if self._grid is None and not self._mount_frame():
            return False
        if budget > 0 and self._form is not None and not self._form.display:
            # The form's first rows: it takes the summary's place.
            self._form.display = True
            summary = self.query("#overview-summary")
            if summary:
                summary.first().remove()
        while budget > 0 and self.building:
            index, field = self._plan[self._built]
            self._built += 1
            self._mount_row(index, field)
            budget -= 2 if field is not None and field.kind == "text" else 1
        if not self.building:
            self.call_later(self._finish)
        return True

    def _mount_frame(self) -> bool:
        """The form's frame: its scroll, the sections with their headings,
        and every row, empty (False: the pane is being removed).

        Each section and the form are as high as they will be once every
        row is in, and each row is there from the start, so a step changes
        nothing on screen but the rows it fills. Had the form grown row by
        row, each step would have offered every section a new height, and
        put every row after its siblings in Textual's painting order:
        either one makes Textual repaint the whole form on screen
        (11-18 ms a step at 100,000 events). And the scrollbar: had it
        appeared only with a later row, that frame would lay out and paint
        the whole form again at the narrower width (55-82 ms), and text
        areas wrapped before it would need wrapping again."""
        from textual.containers import Vertical, VerticalScroll
        from textual.widgets import Static

        from pmtui.ui.widgets.autobox import AutoHorizontal, AutoVertical

        # Not focusable itself: focusing a container restyles everything
        # in it (~150 ms of CPU here); the bar above takes the pane's focus.
        self._form = form = VerticalScroll(id="overview-scroll", can_focus=False)
        form.display = False
        self._grid = grid = Vertical(id="overview-grid")
        self._mounted(self.mount(form))
        if not form.is_attached:
            return False
        self._mounted(form.mount(grid))
        self._boxes = [AutoVertical(classes="overview--section", id=f"section-{index}")
                       for index in range(len(self.SECTIONS))]
        self._size_frame()
        self._mounted(grid.mount(*self._boxes))
        for index, (section, section_box) in enumerate(zip(self.SECTIONS, self._boxes, strict=True)):
            rows = [AutoHorizontal(classes=f"overview--row -{field.kind}")
                    for i, field in self._plan if i == index and field is not None]
            if section == "Team":
                rows.append(AutoHorizontal(classes="overview--row -input", id="overview-signoff"))
            self._rows += rows
            self._mounted(section_box.mount(Static(Text(section), classes="overview--heading"), *rows))
        return True

    def _size_frame(self) -> None:
        """The form and its sections as high as they will be once built, at
        the pane's size now. A floor for each section, not a height:
        Textual's grid (the wide form) sizes its rows by their content and
        the floors, never by a height."""
        assert self._grid is not None
        heights = self._section_heights()
        self._grid.styles.height = self._form_height(heights)
        for box, height in zip(self._boxes, heights, strict=True):
            box.styles.min_height = height

    def _mounted(self, mounting: AwaitMount) -> None:
        """Keep a mount to wait for, awaited from now on: once its widgets
        are mounted, Textual repaints the widget they went into. Awaited
        only later, when a key or the last step waits, that would repaint
        every row again, or the whole pane (10-15 ms)."""
        self._mounting.append(asyncio.ensure_future(mounting))

    async def _finish(self) -> None:
        # Every row mounted, then the frame that lays them out, then the
        # text areas wrapped and painted once more.
        mounting, self._mounting = self._mounting, []
        for pending in mounting:
            await pending
        # overview.tcss's heights again, once every row is in (were the
        # last rows still empty, the form would shrink for a frame): as
        # high as their rows, as the form's frame was made. Laid out again,
        # not repainted: nothing on screen moves (setting the style would
        # repaint the whole form, 10-15 ms).
        boxes: list[tuple[Widget | None, str]] = [(self._grid, "height"), *((b, "min_height") for b in self._boxes)]
        for box, rule in boxes:
            if box is not None and box.is_attached and box.styles.clear_rule(rule):
                box.refresh(repaint=False, layout=True)
        self.after_refresh(self._rewrap)

    def _build_plan(self) -> list[tuple[int, OverviewField | None]]:
        """The form's rows in order: (section, None) opens a section (its
        heading), (section, field) a field's row; the Team section ends
        with its sign-off line."""
        plan: list[tuple[int, OverviewField | None]] = []
        for index, section in enumerate(self.SECTIONS):
            plan.append((index, None))
            plan += [(index, f) for f in self.fields if f.section == section]
        return plan

    def _built_through(self, section: int) -> bool:
        return self._built >= len(self._plan) or self._plan[self._built][0] > section

    def _section_heights(self) -> list[int]:
        """Each section's height in lines once built, from its fields as
        overview.tcss lays them out: a heading, a line per field (text
        areas TEXT_LINES high, or WIDE_TEXT_LINES when wide), its label and
        hint wrapped at their widths; the margin under it is the grid's."""
        from textual.content import Content

        wide = self.has_class("-wide")
        pm = self.session.pm
        # The pane not laid out yet (built at once by a jump to a field):
        # the screen less its header, tabs and footer.
        width = (self.size.width or self.app.size.width) - 2  # #overview-scroll's padding
        viewport = (self.size.height or self.app.size.height - 3) - 1  # less the bar above the form

        def lines(text: str, width: int) -> int:
            return len(Content(printable(text)).wrap(max(1, width))) if text else 0

        def heights(width: int) -> list[int]:
            column = (width - 2) // 2 if wide else width  # grid-gutter: 0 2
            out = []
            for section in self.SECTIONS:
                height = 1 + (section == "Team")  # the heading, the sign-off line
                for field in (f for f in self.fields if f.section == section):
                    editor = (WIDE_TEXT_LINES if wide else TEXT_LINES) if field.kind == "text" else 1
                    hint = lines(field.hint(field.get(pm)), column - LABEL_WIDTH) if field.hint else 0
                    height += max(lines(field.label, LABEL_WIDTH), editor + hint)
                out.append(height)
            return out

        found = heights(width)
        if self._form_height(found) > viewport:  # with the form's scrollbar
            found = heights(width - self.styles.scrollbar_size_vertical)
        return found

    def _form_height(self, heights: list[int]) -> int:
        """The form's height from its sections' (a line under each; when
        wide, two sections a row)."""
        if not self.has_class("-wide"):
            return sum(h + 1 for h in heights)
        return sum(max(heights[i:i + 2]) + 1 for i in range(0, len(heights), 2))

    def _mount_row(self, index: int, field: OverviewField | None) -> None:
        # Mounted level by level rather than as a tree of constructor
        # children: a widget handed to its parent's constructor joins the
        # DOM only when that parent's own mounting runs, so a key handled
        # in between would not find its editor.
        from textual.widgets import Label, Static

        from pmtui.ui.widgets.autobox import AutoVertical

        mounting = self._mounted
        if field is not None:
            value = self._shown[field.name] = field.show(field.get(self.session.pm))
            row = self._rows[self._filled]
            self._filled += 1
            cell = AutoVertical(classes="overview--field")
            mounting(row.mount(Label(Text(field.label), classes="overview--label"), cell))
            mounting(cell.mount(self._editor(field, value),
                                Static("", id=f"error-{field.name}", classes="overview--error"),
                                *self._hint(field)))
        last = self._built >= len(self._plan) or self._plan[self._built][0] != index
        if self.SECTIONS[index] == "Team" and last:
            mounting(self._rows[self._filled].mount(
                Label(Text("Sign-off"), classes="overview--label"),
                Static(Text(self._approvals_text()), id="ov-approvals", classes="overview--field")))

    async def _sections_ready(self, last: int) -> None:
        """Sections up to `last` (-1: every one) built and mounted: a key
        that moves into them waits here (keys are handled in order, so the
        keys after it wait too) instead of finding the form half built."""
        last = len(self.SECTIONS) - 1 if last < 0 else min(last, len(self.SECTIONS) - 1)
        while not self._built_through(last) and self._add_rows(1):
            pass
        mounting, self._mounting = self._mounting, []
        for pending in mounting:
            await pending

    def _section_of(self, widget: Widget | None) -> int:
        """The index of the section `widget` is in; -1 outside the form."""
        for node in (widget, *widget.ancestors) if widget is not None else ():
            if isinstance(node, Widget) and node.id and node.id.startswith("section-"):
                return int(node.id.removeprefix("section-"))
        return -1

    def _hint(self, field: OverviewField) -> list[Widget]:
        from textual.widgets import Static

        if field.hint is None:
            return []
        text = field.hint(field.get(self.session.pm))
        hint = Static(Text(printable(text)), id=f"hint-{field.name}", classes="overview--hint")
        hint.set_class(bool(text), "-shown")
        return [hint]

    def _approvals_text(self) -> str:
        from pmtui.ui.panes import overview_team

        key = self.key("app.approve")
        return printable(overview_team.approvals_line(self.session.pm) + (f" · {key} approve" if key else ""))

    def _refresh_team(self) -> None:
        from textual.widgets import Static

        if self._form is None:
            return
        for line in self.query("#ov-approvals").results(Static):
            line.update(Text(self._approvals_text()))
        for field in self.fields:
            if field.hint is not None:
                text = field.hint(field.get(self.session.pm))
                for hint in self.query(f"#hint-{field.name}").results(Static):
                    hint.update(Text(printable(text)))
                    hint.set_class(bool(text), "-shown")

    def action_approve(self) -> None:
        """Sign off as a reviewer: a small form (note, who), then an undoable edit."""
        from pmtui.ui.panes.overview_approve import ask_approval

        self._build_form()
        self.commit_pending()
        ask_approval(self)

    def _rewrap(self) -> None:
        # A text area wraps again when its size changes but does not paint
        # again (textual is pinned): one laid out before the form's last
        # change of width (its scrollbar) would show lines wrapped for the
        # width it had. Wrapped and painted once the whole form is laid out.
        from textual.widgets import TextArea

        for area in self.query(TextArea):
            area._rewrap_and_refresh_virtual_size()  # textual is pinned
            area.refresh()
        self.context.keep_built()
        # Tests and snapshots wait for this rather than for a guessed pause.
        self.form_shown.set()

    def after_first_frame(self) -> None:
        self.call_later(self._build_form_steps)

    def _editor(self, field: OverviewField, value: str) -> Widget:
        # The form's widgets are imported with the form, after the first frame.
        from textual.widgets import Input, Select

        from pmtui.ui.screens.form import example
        from pmtui.ui.widgets.controlsafe import VISIBLE_CONTROLS, SafeTextArea
        from pmtui.ui.widgets.select import SafeSelect

        ident = f"ov-{field.name}"
        if field.kind == "select":
            options = [(printable(field.labels.get(o, o)), o) for o in field.options]
            if value and value not in field.options:
                options.append((printable(value), value))
            return SafeSelect(options, value=value or Select.NULL, id=ident, allow_blank=True, prompt="(not set)",
                              compact=True)
        if field.kind == "text":
            return SafeTextArea(value, id=ident, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                                compact=True)
        return Input(value, placeholder=example(field.placeholder), id=ident, compact=True,
                     highlighter=VISIBLE_CONTROLS)

    def on_mount(self) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")
        # Shown as the app's first pane, the app calls after_first_frame;
        # shown later, the frame that shows it need not wait for the form.
        if self.context.first_frame_shown():
            self.after_refresh(self._next_step)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")
        if self.building and self._grid is not None:
            # The heights the frame was made with are for the old size.
            self._size_frame()

    def focus_default(self) -> None:
        # The bar, not a field: digits still switch panes, tab or enter walk
        # into the fields.
        self.query_one(OverviewBar).focus()

    # -- reading and committing ------------------------------------------------

    def editor(self, name: str) -> Widget:
        """The field's editor (the rest of the form built now if it is not
        built yet)."""
        found = self.query(f"#ov-{name}")
        if not found:
            self._build_form()
            found = self.query(f"#ov-{name}")
        return found.first()

    def raw(self, name: str) -> str:
        from textual.widgets import Input, Select, TextArea

        widget = self.editor(name)
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Input):
            return widget.value
        raise TypeError(f"#ov-{name} is not an editor")

    def _error(self, name: str) -> Static:
        from textual.widgets import Static

        found = self.query(f"#error-{name}")
        if not found:
            self._build_form()
        return self.query_one(f"#error-{name}", Static)

    def error_text(self, name: str) -> str:
        return str(self._error(name).content)

    def _show_error(self, name: str, message: str) -> None:
        error = self._error(name)
        error.update(Text(printable(message, multiline=True)))
        error.set_class(bool(message), "-shown")

    def commit(self, name: str) -> bool:
        """Turn the field's text into an edit; False (with the reason shown
        under the field, text kept) when it does not parse."""
        field = self._by_name[name]
        text = self.raw(name)
        try:
            value = field.parse(text) if field.parse else text
        except ValueError as exc:
            self._show_error(name, str(exc))
            return False
        self._show_error(name, "")
        self._shown[name] = field.show(value)
        if field.edit is not None:
            self.session.run(field.edit(self.session.pm, value))
            return True
        self.session.set(Area.OVERVIEW, f"edit {field.label.lower()}", field.owner(self.session.pm), field.attr,
                         value, focus=name)
        return True

    def commit_pending(self) -> None:
        focused = self.app.focused
        if focused is not None and focused.id and focused.id.startswith("ov-") and self in focused.ancestors:
            name = focused.id.removeprefix("ov-")
            if self._by_name[name].kind != "select":
                self.commit(name)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("ov-"):
            event.stop()
            if self.commit(event.input.id.removeprefix("ov-")):
                self.screen.focus_next()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        ident = event.widget.id
        field = self._by_name.get(ident.removeprefix("ov-")) if ident and ident.startswith("ov-") else None
        if field is not None and field.kind != "select":
            self.commit(field.name)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("ov-"):
            event.stop()
            self.commit(event.select.id.removeprefix("ov-"))

    def on_change(self, change: Change) -> None:
        if change.area != Area.OVERVIEW:
            return
        for summary in self.query(OverviewSummary):  # shown until the form's first rows are in
            summary.refresh()
        if self._form is None or not self._form.display:
            return
        from textual.widgets import Input, Select, TextArea

        pm = self.session.pm
        focused = self.app.focused
        self._refresh_team()
        for field in self.fields:
            if field.name not in self._shown:
                continue  # not built yet: it reads the model when it is
            value = field.show(field.get(pm))
            if value == self._shown[field.name]:
                continue
            widget = self.editor(field.name)
            if widget is focused and change.focus != field.name:
                continue  # never overwrite what is being typed
            self._shown[field.name] = value
            self._show_error(field.name, "")
            if isinstance(widget, Select):
                with widget.prevent(Select.Changed):
                    widget.value = value if value else Select.NULL
            elif isinstance(widget, TextArea):
                widget.load_text(value)
            elif isinstance(widget, Input):
                widget.value = value

    # -- keys ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # enter walks into the fields from the form as a whole; escape
        # leaves a field. Each shows only where it does something.
        focused = self.app.focused
        in_field = focused is not None and bool(focused.id) and str(focused.id).startswith("ov-")
        if action == "edit_fields":
            return not in_field
        if action == "leave_field":
            return in_field
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.refresh_bindings()

    async def action_edit_fields(self) -> None:
        await self._sections_ready(0)
        self.screen.set_focus(self.editor(self.fields[0].name))

    async def on_key(self, event: events.Key) -> None:
        # Tab walks the fields in order while the form is still being built
        # too. Textual orders the focus by where widgets are laid out, and a
        # row mounted but not laid out yet sits at the top: until the form
        # is shown, the next field is the next in the form's own order (its
        # section built first if need be).
        if event.key not in ("tab", "shift+tab") or self.form_shown.is_set():
            return
        target = self._field_after(self.app.focused, 1 if event.key == "tab" else -1)
        if target is None:  # to or from outside the form: Textual's own order, over the whole form
            await self._sections_ready(-1)
            return
        event.stop()
        await self._sections_ready(target.section_index)
        self.screen.set_focus(self.editor(target.name))

    def _field_after(self, widget: Widget | None, step: int) -> _Target | None:
        """The field `step` fields on from the one `widget` edits (from the
        bar: the first); None from anything else or past either end."""
        names = [f.name for f in self.fields]
        ident = widget.id if widget is not None and widget.id else ""
        if ident.startswith("ov-") and ident.removeprefix("ov-") in self._by_name:
            index = names.index(ident.removeprefix("ov-")) + step
        elif widget is not None and widget.id == "overview-bar" and step > 0:
            index = 0
        else:
            return None
        if not 0 <= index < len(names):
            return None
        field = self.fields[index]
        return _Target(field.name, self.SECTIONS.index(field.section))

    def action_leave_field(self) -> None:
        self.commit_pending()
        self.query_one(OverviewBar).focus()

    def action_scroll_form(self, pages: int) -> None:
        if self._form is None:
            return
        if pages > 0:
            self._form.scroll_page_down(animate=False)
        else:
            self._form.scroll_page_up(animate=False)

    async def action_section(self, step: int) -> None:
        current = self._section_of(self.app.focused)
        index = (current + step) % len(self.SECTIONS)
        await self._sections_ready(index)
        sections = list(self.query(".overview--section"))
        for widget in sections[index].query("*"):
            if widget.focusable:
                # At once, not with focus() (which lands after the key is
                # handled): in a burst of keys the next one starts from here.
                self.screen.set_focus(widget)
                widget.scroll_visible()
                return


@dataclass(frozen=True)
class _Target:
    name: str
    section_index: int


class OverviewBar(Widget, can_focus=True):
    """One line above the form that holds the pane's focus between fields:
    visible (highlighted when focused), cheap to focus (a container would
    restyle the whole form), and it says how to go on."""

    DEFAULT_CSS = """
    OverviewBar { height: 1; padding: 0 1; color: $text-muted; }
    OverviewBar:focus { background: $primary 30%; color: $text; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "scroll_form(1)", "Page down", show=False),
        Binding("pageup", "scroll_form(-1)", "Page up", show=False),
    ]

    def __init__(self, pane: OverviewPane, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pane = pane

    def action_scroll_form(self, pages: int) -> None:
        self.pane.action_scroll_form(pages)

    def render(self) -> Text:
        edit, section = self.pane.key("overview.edit"), self.pane.key("overview.next_section")
        return Text(f"{capitalized(edit)} or tab edits the fields \u00b7 {section} next section \u00b7 "
                    f"{self.pane.key('go.timeline')} etc. switch panes", no_wrap=True, overflow="ellipsis")


class OverviewSummary(Widget):
    """Every field of the overview as text, laid out like the form, for the
    first frame; the pane replaces it with the form right after."""

    DEFAULT_CSS = """
    OverviewSummary { height: 1fr; padding: 0 1; }
    OverviewSummary > .overview-summary--heading { color: $primary; text-style: bold; }
    OverviewSummary > .overview-summary--label { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"overview-summary--heading", "overview-summary--label"}

    def __init__(self, pane: OverviewPane, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pane = pane

    def render(self) -> Text:
        pm = self.pane.session.pm
        heading = self.get_component_rich_style("overview-summary--heading")
        label_style = self.get_component_rich_style("overview-summary--label")
        width = max(1, self.size.width - LABEL_WIDTH)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, section in enumerate(self.pane.SECTIONS):
            if index:
                text.append("\n")
            text.append(section + "\n", heading)
            for field in (f for f in self.pane.fields if f.section == section):
                value = printable(field.show(field.get(pm)), multiline=True)
                lines = value.split("\n") if field.kind == "text" else [value.replace("\n", " ")]
                if field.kind == "text":
                    lines = (lines + [""] * TEXT_LINES)[:TEXT_LINES]
                for n, line in enumerate(lines):
                    text.append((field.label if n == 0 else "").ljust(LABEL_WIDTH), label_style)
                    text.append(line[: width] + "\n")
        return text
