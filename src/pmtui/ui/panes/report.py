"""The Report pane: a live preview of the rendered report beside the
checklist.

Scaling (issue 4 measured Textual's Markdown widget at 14 s for a
1,000-row table): each report section is its own widget and only the
sections an edit can touch are re-rendered, from `report.render_section`,
coalesced over a short window so a burst of edits costs one update. The
timeline is a virtual table on the Line API: an edit costs a re-sort of
references, and only the rows on screen are ever drawn. The checklist runs
in a thread on a shallow snapshot so a 10,000-event document never blocks
a frame. `w` and `c` always use the whole report (`report.render`).
"""

from __future__ import annotations

import operator
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.strip import Strip
from textual.theme import Theme
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pmtui import checks, report
from pmtui import clipboard as osc52
from pmtui.livechecks import SharedChecks, snapshot
from pmtui.model import PostMortem, TimelineEvent
from pmtui.redact import redact
from pmtui.session import Area, Change, EditSession
from pmtui.team import templates
from pmtui.textsafe import one_line, printable
from pmtui.timeparse import format_clock, format_utc
from pmtui.ui.panes.base import Pane, PaneContext
from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.blametext import safe
from pmtui.ui.widgets.mdrender import MdStyles, render
from pmtui.ui.widgets.table import Column

DELAY = 0.025  # seconds edits are gathered before the preview follows them
TIMELINE_HEIGHT = 16  # rows of the timeline table shown at once in the preview
# Seconds after the pane is first shown before its checklist runs, when the
# app has no fresh results for it (the preview's first layouts come first).
CHECKS_AFTER_MOUNT = 0.15

ALL = frozenset(report.SECTION_KEYS)
_BY_TIME = operator.attrgetter("time")
# Which sections an edit in each session area can change (every area is
# named: a new area must say what it touches).
SECTIONS_FOR_AREA: dict[Area, frozenset[str]] = {
    # The overview's fields are in the header and most prose sections.
    Area.OVERVIEW: ALL,
    # Marking an event as detection/mitigation/resolution sets the times.
    Area.TIMELINE: frozenset({"timeline", "header", "durations"}),
    Area.ANALYSIS: frozenset({"factors", "went_well", "went_wrong", "lucky", "lessons"}),
    Area.ACTIONS: frozenset({"actions"}),
    Area.EXPORT: frozenset({"actions"}),
    Area.SOURCES: frozenset({"gaps"}),
    Area.EVIDENCE: frozenset({"gaps"}),
}

# Which pane holds the rows a check points at (section keys of report).
PANE_FOR_SECTION = {
    "timeline": "timeline",
    "factors": "analysis",
    "went_well": "analysis",
    "went_wrong": "analysis",
    "lucky": "analysis",
    "lessons": "analysis",
    "actions": "actions",
    "gaps": "collect",
}

def report_path(toml_path: str | os.PathLike[str]) -> Path:
    """NAME.md beside NAME.toml."""
    path = Path(toml_path)
    if path.name.endswith(".toml"):
        return path.with_name(path.name.removesuffix(".toml") + ".md")
    return path.with_suffix(".md")


class ReportTimelineTable(BlameTable):
    """The report's timeline section, drawn line by line. (Not named like
    the timeline pane's table: Textual matches query types and CSS by class
    name, and a query for that one found this one too.)"""


class SectionView(Widget):
    """One report section (its Markdown drawn by report_md), kept as
    rendered lines: an edit repaints this section alone, and the layout
    is redone only when its height changes (Static.update reflows the
    whole screen, repainting every section, on each keystroke)."""

    DEFAULT_CSS = "SectionView { height: 1; }"

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self.source = ""
        self.renderable: RenderableType = Text("")
        self._lines: list[Strip] = []
        self._width = 0

    def set_content(self, source: str, renderable: RenderableType) -> None:
        self.source = source
        self.renderable = renderable
        self._layout_lines(self.size.width)

    def plain(self) -> str:
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _layout_lines(self, width: int) -> None:
        old = len(self._lines)
        if width <= 0:
            return
        console = self.app.console
        options = console.options.update(width=width, height=None)
        lines = console.render_lines(self.renderable, options, style=self.rich_style, pad=True)
        self._lines = [Strip(line, width) for line in lines] or [Strip.blank(width, self.rich_style)]
        self._width = width
        if len(self._lines) != old:
            self.styles.height = len(self._lines)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._layout_lines(event.size.width)

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)


class ChecklistView(OptionList):
    pass


class ReportPane(Pane):
    pane_name = "report"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "write", "Write report", id="report.write"),
        Binding("n", "next_problem", "Next problem", id="report.next_problem"),
        Binding("o", "jump", "Open what it concerns", id="report.open"),
        Binding("v", "view", "View in full", id="report.view"),
        Binding("tab", "switch_focus", "Preview/checks", id="report.switch_focus"),
        Binding("y", "copy", "Copy report", id="report.copy"),
        Binding("t", "timeline_rows", "Key rows/all", id="report.key_rows"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "report--blame",
        "report--h1",
        "report--h2",
        "report--h3",
        "report--link",
        "report--muted",
        "report--pass",
        "report--warn",
        "report--fail",
    }

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(session, context, **kwargs)
        self.results: list[checks.CheckResult] = []
        # The app's (it runs the checks once while idle after opening the
        # file); a pane hosted alone runs its own.
        shared = self.context.checks
        self._checks = shared() if shared is not None else SharedChecks(team=self.context.team)
        # The team's template: its sections, order and headings (procedure's by default).
        self._template = templates.template_for(self.context.team)
        self._sections = {s.key: s for s in self._template.sections}
        self._keys = list(self._sections)
        # The team's own sections draw on much of the model: redone on every edit (each is small).
        self._extra = frozenset(k for k in self._keys if k not in ALL)
        self._checks_running = False
        self._checks_again = False
        self._dirty: set[str] = set()
        self._timer: Timer | None = None
        self._rows: list[TimelineEvent] = []
        # For the benchmark and tests: the session revision the preview and
        # the checklist last showed, and when.
        self.preview_revision = -1
        self.checks_revision = -1
        self.preview_applied_at = 0.0
        self.sections_rendered = 0

    @property
    def pm(self) -> PostMortem:
        return self.session.pm

    def now(self) -> datetime:
        return self.context.now()

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="report-body"):
            with VerticalScroll(id="report-preview"):
                for key in self._keys:
                    if key == "timeline":
                        yield SectionView(key, id="report-section-timeline")
                        yield ReportTimelineTable(self._timeline_columns(), empty_text="No events yet.",
                                                  id="report-timeline")
                    else:
                        yield SectionView(key, id=f"report-section-{key}")
            with Vertical(id="report-side"):
                yield Static(id="report-summary")
                yield ChecklistView(id="report-checks")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._dirty = set(self._keys)
        self._flush(checks=False)
        self.query_one("#report-preview").focus()
        ran = self._checks.fresh(self.session.revision)
        if ran is not None:
            self._show_checks(ran.results, ran.revision)
        else:
            # Not while the preview lays itself out in its first frames: the
            # checks' thread would take half the interpreter from them.
            self.set_timer(CHECKS_AFTER_MOUNT, self._request_checks)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    # -- following edits -----------------------------------------------------

    def _theme_changed(self, _theme: Theme) -> None:
        # Section lines hold the old theme's colours: draw them all again.
        for view in self.query(SectionView):
            view.source = ""
        self.results = []
        self._follow(frozenset(self._keys))

    def on_change(self, change: Change) -> None:
        self._follow(SECTIONS_FOR_AREA[change.area] | self._extra)

    def _follow(self, sections: frozenset[str]) -> None:
        self._dirty |= sections
        if self._timer is None:
            self._timer = self.set_timer(DELAY, self._flush)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"report--{name}", partial=True)

    def _styles(self) -> MdStyles:
        get = self._style
        return MdStyles(blame=get("blame"), h1=get("h1"), h2=get("h2"), h3=get("h3"), link=get("link"),
                        muted=get("muted"))

    def _flush(self, *, checks: bool = True) -> None:
        self._timer = None
        dirty, self._dirty = self._dirty, set()
        revision = self.session.revision
        styles = self._styles()
        pm = self.pm
        team = self.context.team
        for key in self._keys:
            if key not in dirty:
                continue
            if key == "timeline":
                self._refresh_timeline()
                continue
            source = templates.render_section(pm, team, self._sections[key])
            view = self.query_one(f"#report-section-{key}", SectionView)
            if source != view.source:
                view.set_content(source, render(source, styles))
                self.sections_rendered += 1
        self.preview_revision = revision
        self.preview_applied_at = time.perf_counter()
        if checks:
            self._request_checks()

    def _timeline_columns(self) -> list[Column]:
        return [
            Column("time", "Time (UTC)", self._clock, width=19),
            # Redacted like the report it previews (the table draws the rows).
            Column("event", "Event", lambda e: redact(e.event), min_width=16),
            Column("source", "Source", lambda e: redact(e.source) or "-", width=14),
            Column("actor", "Actor", lambda e: redact(e.actor) or "-", width=10),
        ]

    def _clock(self, event: TimelineEvent) -> str:
        day = self.pm.incident_date
        if event.time is None:
            return "-"
        return format_clock(event.time) if event.time.date() == day else format_utc(event.time)

    def _refresh_timeline(self) -> None:
        # Heading rendered like every other section; the rows go to the table.
        title = self._sections["timeline"].heading
        heading = self.query_one("#report-section-timeline", SectionView)
        # Same rows as report.report_timeline (stable, by time; the key rows
        # when the report shows those); the C-level key keeps a 10,000-event
        # re-sort to a millisecond.
        self._rows = sorted(self.pm.timeline, key=_BY_TIME)
        if self.pm.report_shows_key_rows():
            self._rows = [e for e in self._rows if e.key]
        note = report.timeline_note(self.pm, len(self._rows))
        source = f"## {title}\n\n{note}" if note else f"## {title}"
        if heading.source != source:
            heading.set_content(source, render(source, self._styles()))
        table = self.query_one(ReportTimelineTable)
        # Sorted, so the first and last rows tell whether any event leaves
        # the incident's day (then the time column needs the date).
        day = self.pm.incident_date
        one_day = not self._rows or (self._rows[0].time.date() == day and self._rows[-1].time.date() == day)
        width = 8 if one_day else 19
        if table.columns and table.columns[0].width != width:
            columns = table.columns
            columns[0] = Column("time", "Time" if one_day else "Time (UTC)", self._clock, width=width)
            table.set_columns(columns)
        table.styles.height = min(len(self._rows), TIMELINE_HEIGHT) + 1 if self._rows else 2
        table.set_rows(self._rows)

    # -- checklist -------------------------------------------------------------

    def _request_checks(self) -> None:
        # One run at a time: a thread per keystroke would pile up threads
        # that each hold the interpreter for tens of ms at 10,000 events.
        if self._checks_running:
            self._checks_again = True
            return
        self._checks_running = True
        self._checks_again = False
        self._run_checks(snapshot(self.pm), self.session.revision, self.now())

    # description given: otherwise Textual reprs the arguments, 10,000 events of them.
    @work(thread=True, exclusive=False, group="report-checks", exit_on_error=False, description="checks")
    def _run_checks(self, pm: PostMortem, revision: int, now: datetime) -> None:
        results: list[checks.CheckResult] | None = None
        try:
            results = self._checks.run(pm, revision, now)
        finally:
            self.app.call_from_thread(self._checks_finished, results, revision)

    def _checks_finished(self, results: list[checks.CheckResult] | None, revision: int) -> None:
        self._checks_running = False
        if results is not None:
            self._show_checks(results, revision)
        if self._checks_again:
            self._request_checks()

    def _show_checks(self, results: list[checks.CheckResult], revision: int) -> None:
        if revision < self.checks_revision:
            return
        self.checks_revision = revision
        if results == self.results:
            return  # redrawing the list is the costly part; most edits change no check
        listing = self.query_one(ChecklistView)
        old = listing.highlighted
        self.results = results
        blame = self._style("blame")
        marks = {checks.PASS: "\u2713", checks.WARN: "!", checks.FAIL: "\u2717"}
        options = []
        for r in results:
            prompt = Text(f"{marks.get(r.result, '?')} ", self._style(r.result))
            prompt.append_text(safe(redact(r.message), blame))
            if r.suggestion and r.result != checks.PASS:
                prompt.append("\n  ")
                prompt.append_text(safe(redact(r.suggestion), blame, style=self._style("muted")))
            options.append(Option(prompt))
        listing.clear_options()
        listing.add_options(options)
        if results:
            listing.highlighted = min(old or 0, len(results) - 1)
        counts = checks.summary(results)
        summary = Text("Checklist  ")
        summary.append(f"\u2713{counts[checks.PASS]} ", self._style("pass"))
        summary.append(f"!{counts[checks.WARN]} ", self._style("warn"))
        summary.append(f"\u2717{counts[checks.FAIL]}", self._style("fail"))
        self.query_one("#report-summary", Static).update(summary)

    def selected_check(self) -> checks.CheckResult | None:
        index = self.query_one(ChecklistView).highlighted
        if index is None or not 0 <= index < len(self.results):
            return None
        return self.results[index]

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list is self.query_one(ChecklistView):
            event.stop()
            await self.action_jump()

    async def action_jump(self) -> None:
        """Open the pane and row the highlighted check is about."""
        result = self.selected_check()
        if result is None:
            return
        if not self.query_one(ChecklistView).has_focus:
            self.query_one(ChecklistView).focus()
        await self.show_check(result)

    async def show_check(self, result: checks.CheckResult) -> bool:
        section, row = result.section, result.row
        show_pane = self.context.show_pane
        if not section or show_pane is None:
            self.notify(f"{result.id}: nothing to open", timeout=2)
            return False
        pane = await show_pane(PANE_FOR_SECTION.get(section, "overview"))
        return pane.show_location(section, row)

    def action_next_problem(self) -> None:
        listing = self.query_one(ChecklistView)
        if not self.results:
            return
        start = (listing.highlighted or 0) + 1
        for step in range(len(self.results)):
            index = (start + step) % len(self.results)
            if self.results[index].result != checks.PASS:
                listing.highlighted = index
                listing.focus()
                return
        self.notify("Every check passes.", timeout=2)

    def selection_detail(self) -> tuple[str, Text] | None:
        if not self.query_one(ChecklistView).has_focus:
            return "Report", Text(report.render(self.pm))
        result = self.selected_check()
        if result is None:
            return None
        text = Text(f"{result.result}: ", style="bold")
        text.append(printable(redact(result.message), multiline=True))
        if result.suggestion:
            text.append("\n\n" + printable(redact(result.suggestion), multiline=True))
        text.append(f"\n\n({result.id})", style="dim")
        return "Check", text

    def action_timeline_rows(self) -> None:
        """The report's timeline: the key rows, or every row (`[report]
        timeline` in the file, an undoable edit)."""
        from pmtui.edits import set_report_timeline

        pm = self.pm
        mode = "all" if pm.report_shows_key_rows() else "key"
        self.session.run(set_report_timeline(pm, mode))
        keys = sum(1 for e in pm.timeline if e.key)
        if mode == "all":
            self.notify(f"The report's timeline shows all {len(pm.timeline)} events.", timeout=3)
        elif keys:
            self.notify(f"The report's timeline shows the {keys} key moments.", timeout=3)
        else:
            self.notify("No event is a key moment yet: mark them in the Timeline pane "
                        f"({self.key('timeline.key', owner=_timeline_pane())}); every event is shown until then.",
                        timeout=5)

    def action_switch_focus(self) -> None:
        listing = self.query_one(ChecklistView)
        if listing.has_focus:
            self.query_one("#report-preview").focus()
        else:
            listing.focus()

    # -- whole report: write and copy --------------------------------------------

    def action_write(self) -> None:
        path = self.context.document_path()
        if path is None:
            self.notify("This post-mortem has no file yet: save it first.", severity="warning")
            return
        self._write(snapshot(self.pm), report_path(path), path)

    @work(thread=True, exclusive=True, group="report-write", exit_on_error=False, description="write report")
    def _write(self, pm: PostMortem, target: Path, doc: Path) -> None:
        from pmtui.filesafety.atomic import mode_beside
        from pmtui.filesafety.disk import write_atomic

        try:
            text = templates.render(pm, self.context.team)
            # no wider than the post-mortem: a 0600 file's report stays 0600
            write_atomic(target, text.encode("utf-8"), mode=mode_beside(doc, target))
        except OSError as exc:
            message = Text(f"Report not written to {one_line(str(target))}: {one_line(exc.strerror or str(exc))}")
            self.app.call_from_thread(self.notify, message, severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, f"Report written to {one_line(str(target))}", timeout=3)

    def _report_name(self) -> str:
        path = self.context.document_path()
        return report_path(path).name if path is not None else "NAME.md"

    def action_copy(self) -> None:
        self._copy(snapshot(self.pm))

    @work(thread=True, exclusive=True, group="report-copy", exit_on_error=False, description="copy report")
    def _copy(self, pm: PostMortem) -> None:
        text = templates.render(pm, self.context.team)
        self.app.call_from_thread(self._send_to_clipboard, text)

    def _send_to_clipboard(self, text: str) -> None:
        # Textual writes the plain OSC 52 sequence; inside tmux or screen it
        # must be wrapped too, or the multiplexer swallows it.
        self.app.copy_to_clipboard(text)
        wrapper = osc52.multiplexer_from_env(dict(os.environ))
        driver = self.app._driver  # textual is pinned: the terminal the app writes to
        if wrapper and driver is not None:
            driver.write(osc52.osc52(text, multiplexer=wrapper))
        size = osc52.payload_size(text)
        if size > osc52.TYPICAL_LIMIT:
            self.notify(
                f"Sent {len(text):,} characters to the terminal's clipboard (OSC 52); some terminals cap it at "
                f"{osc52.TYPICAL_LIMIT // 1000} kB ({self.key('report.write')} writes the file instead).",
                severity="warning",
                timeout=6,
            )
        else:
            # OSC 52 has no answer: the terminal may have ignored it.
            self.notify(
                f"Report sent to the terminal's clipboard ({len(text):,} characters, OSC 52). If pasting gives "
                f"nothing, your terminal does not allow it: {self.key('report.write')} writes "
                f"{self._report_name()} instead.",
                timeout=6,
            )

    # -- location (so the app can route "report" checks here) ---------------------

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        view = next((v for v in self.query(SectionView) if v.key == section), None)
        if view is None:
            return False
        self.query_one("#report-preview", VerticalScroll).scroll_to_widget(view, top=True, animate=False)
        return True


def _timeline_pane() -> type:
    from pmtui.ui.panes.timeline import TimelinePane

    return TimelinePane
