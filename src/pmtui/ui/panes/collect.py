"""The Collect pane: pull the incident window's data from Prometheus,
Alertmanager, Kubernetes, Loki, log files, Slack and PagerDuty, keep it
as evidence, and turn it into candidate timeline events the engineer
accepts one by one or all at once. The possible trigger comes first, then
candidates flagged at their source (a pinned or reaction-marked Slack
message); each shows its kind and confidence, and the line under the table
tells, for the one under the cursor, which other sources say it too and
what evidence it keeps (`o` opens it at its place). Those a timeline row
already says are listed last, dimmed, and are never added again.

Each source runs in its own thread worker (the kubernetes client blocks),
reports progress through `call_from_thread`, and hands its result back the
same way — also when cancelled, so evidence written before the cancel is
still recorded. A failing source becomes a gap, never a frozen screen.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtui.edits import collect as edits
from pmtui.model import Evidence, Gap, SourceSettings
from pmtui.session import Area, Change, EditSession
from pmtui.sources.base import Candidate, SourceResult, Window
from pmtui.textsafe import one_line, printable
from pmtui.timeparse import format_clock, format_utc, parse_optional_time
from pmtui.ui.keys import capitalized
from pmtui.ui.messages import RowChosen, RowHighlighted
from pmtui.ui.panes.base import Pane, PaneContext
from pmtui.ui.screens.trust import TrustScreen
from pmtui.ui.widgets.detail import DetailPanel
from pmtui.ui.widgets.table import Column, VirtualTable

if TYPE_CHECKING:
    from pmtui.sources.collect import Runner

VIEWS = ("candidates", "evidence", "gaps")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_URL_PASSWORD_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", re.IGNORECASE)


@dataclass
class SourceState:
    state: str = "waiting"  # waiting | running | done | failed | cancelled
    message: str = ""
    fraction: float | None = None
    result: SourceResult | None = None


WIDE = 100  # columns from which the candidates show their actor in a column of its own
LOG_FORMATS = ("auto", "plain", "combined", "journal", "jsonl")


class CollectTable(VirtualTable):
    COMPONENT_CLASSES: ClassVar[set[str]] = VirtualTable.COMPONENT_CLASSES | {
        "collect--detection",
        "collect--resolution",
        "collect--gap",
        "collect--flagged",
        "collect--trigger",
        "collect--known",
    }

TRIGGER = "\u2691 "  # a flag: the possible trigger (one cell wide, not East Asian ambiguous)
KNOWN = "in the timeline \u2014 "


class CollectPane(Pane):
    pane_name = "collect"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "collect", "Collect", id="collect.run"),
        Binding("space", "accept", "Accept", id="collect.accept"),
        Binding("A", "accept_all", "Accept all", id="collect.accept_all"),
        Binding("v", "view", "View in full", id="collect.view"),
        Binding("right_square_bracket", "next_view(1)", "Next list", id="collect.next_list"),
        Binding("left_square_bracket", "next_view(-1)", "Previous list", id="collect.prev_list"),
        Binding("o", "open", "Open evidence", id="collect.open"),
        Binding("s", "settings", "Sources", id="collect.settings"),
        Binding("P", "people", "Slack/PagerDuty/Loki", id="collect.people"),
        Binding("L", "add_log", "Add log file", id="collect.add_log"),
        Binding("K", "next_kind", "Kind", id="collect.kind"),  # (k moves up, as in vi)
        Binding("escape", "cancel", "Stop collecting", id="collect.cancel"),
    ]

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(session, context, **kwargs)
        self.view = "candidates"
        self.found: list[Candidate] = []  # every candidate this session collected
        self.shown: list[Candidate] = []  # those not yet in the timeline, the possible trigger first
        self.known: list[Candidate] = []  # those a timeline row already says (shown last, not offered)
        self._known_ids: set[int] = set()
        self.states: dict[str, SourceState] = {}
        self._wide: bool | None = None

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="collect-settings")
        yield Static("", id="collect-sources")
        yield CollectTable(self._columns(), empty_text="", id="collect-table")
        yield DetailPanel(more=f"{self.key('collect.view')} shows all", id="collect-detail")
        yield Static("", id="collect-status")

    @property
    def table(self) -> CollectTable:
        return self.query_one(CollectTable)

    def on_mount(self) -> None:
        self._show_settings()
        self._show_sources()
        self._rebuild()

    def focus_default(self) -> None:
        self.table.focus()

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE if self.size.width else False
        if wide != self._wide:
            self._wide = wide
            if self.view == "candidates":
                self.table.set_columns(self._columns())

    def on_change(self, change: Change) -> None:
        if change.area in (Area.SOURCES, Area.OVERVIEW):
            self._show_settings()
        if change.area in (Area.TIMELINE, Area.EVIDENCE, Area.SOURCES, Area.OVERVIEW):
            self._rebuild()

    # -- what the pane shows -------------------------------------------------------

    @property
    def _demo(self) -> bool:
        return self.context.demo

    def _doc_path(self) -> Path | None:
        """The post-mortem's file (evidence goes beside it); None, with the
        reason told, when there is none yet."""
        path = self.context.document_path()
        if path is None:
            self.notify("This post-mortem has no file yet: save it first.", severity="warning")
        return path

    def _window_text(self) -> str:
        from pmtui.sources.collect import CollectError, window_for

        try:
            w = window_for(self.session.pm)
        except CollectError as exc:
            return f"Window: not set — {exc}"
        return f"Window: {format_utc(w.start, seconds=False)} \u2013 {format_utc(w.end, seconds=False)} UTC"

    def _show_settings(self) -> None:
        s = self.session.pm.sources
        k = s.kubernetes
        lines = [self._window_text()]
        if self._demo:
            lines.append("Demo: every source replays the recorded incident (no network).")
        prom = s.prometheus.url or "not set"
        if s.prometheus.url and s.prometheus.auth != "none":
            prom += f" ({s.prometheus.auth} auth from ${s.prometheus.token_env or s.prometheus.username_env})"
        lines.append(f"Prometheus: {prom}   Alertmanager: {s.alertmanager.url or 'not set'}")
        target = (k.deployment and f"deployment/{k.deployment}") or (k.selector and f"pods {k.selector}") or "not set"
        where = " ".join(
            x for x in (k.context and f"context {k.context}", k.namespace and f"namespace {k.namespace}") if x
        )
        lines.append(f"Kubernetes: {target}{'  ' + where if where else ''}")
        lines.append(self._people_text())
        self.query_one("#collect-settings", Static).update(Text(one_line("\n".join(lines)).replace("\u23ce ", "\n")))

    def _people_text(self) -> str:
        """Slack, PagerDuty, Loki and log files, on one line: those set."""
        s = self.session.pm.sources
        slack = (f"#{s.slack.channel.lstrip('#')}" if s.slack.channel else "") + (
            f" (export {Path(s.slack.export).name})" if s.slack.export else "")
        pd = s.pagerduty
        pager = (pd.file and f"file {Path(pd.file).name}") or (pd.incident and f"incident {pd.incident}") or (
            pd.service and f"service {pd.service}")
        logs = len([p for p in s.files.paths if p.strip()])
        parts = [f"Slack: {slack.strip()}" if slack.strip() else "", f"PagerDuty: {pager}" if pager else "",
                 f"Loki: {s.loki.url}" if s.loki.url else "",
                 f"Log files: {logs}" if logs else ""]
        shown = "   ".join(p for p in parts if p)
        return shown or (f"Slack, PagerDuty, Loki, log files: not set ({self.key('collect.people')}, "
                         f"{self.key('collect.add_log')})")

    def _show_sources(self) -> None:
        self.refresh_bindings()  # the stop key shows while a collection runs
        if not self.states:
            text = Text(f"Press {self.key('collect.run')} to collect from every configured source, "
                        f"{self.key('collect.settings')} to set the sources.", style="italic")
            self.query_one("#collect-sources", Static).update(text)
            return
        width = max(40, self.size.width - 2) if self.size.width else 78
        # Sources that went well share a line two by two when there are many
        # (80x24 has room for few lines); a failed one gets a line of its own.
        pack = len(self.states) > 3
        cell = (width - 2) // 2 if pack else width
        lines: list[Text] = []
        half: Text | None = None
        for name, st in self.states.items():
            mark = {"waiting": "·", "running": "…", "done": "✓", "failed": "✗", "cancelled": "\u2013"}[st.state]
            part = Text(f"{mark} {name:<13}", style="bold")
            detail, whole = self._state_detail(st, short=pack)
            room = (width if whole or not pack else cell) - len(part)
            part.append(one_line(detail, max(8, room)))
            if whole or not pack:
                if half is not None:
                    lines.append(half)
                    half = None
                lines.append(part)
            elif half is None:
                half = part
            else:
                half.pad_right(cell + 2 - len(half))
                half.append_text(part)
                lines.append(half)
                half = None
        if half is not None:
            lines.append(half)
        self.query_one("#collect-sources", Static).update(Text("\n").join(lines))

    def _state_detail(self, st: SourceState, *, short: bool = False) -> tuple[str, bool]:
        """What to say of a source, and whether it needs a line of its own
        (`short`: in half a line, the evidence count left out)."""
        if st.result is None:
            if st.state == "running" and st.fraction is not None:
                return f"{int(st.fraction * 100):3d}% {st.message}", False
            return st.message, False
        r = st.result
        if st.state == "failed" and r.gaps:
            return r.gaps[0].description, True
        gaps = f"{len(r.gaps)} gap{'s' if len(r.gaps) != 1 else ''}"
        # What the source said, before one candidate per happening is made of it all.
        detail = (f"{len(r.candidates)} found, {gaps}" if short
                  else f"{len(r.candidates)} found, {len(r.evidence)} evidence, {gaps}")
        if st.state == "cancelled":
            return "cancelled · " + detail, True
        if r.notes:
            return detail + " · " + r.notes[0], True
        return detail, False

    def _columns(self) -> list[Column]:
        if self.view == "evidence":
            return [
                Column("kind", "Kind", lambda e: e.kind, width=8),
                Column("source", "Source", lambda e: e.source, width=12),
                Column("path", "File", lambda e: e.path, min_width=16),
                Column("size", "Bytes", lambda e: f"{e.size:,}", width=11),
                Column("fetched", "Fetched (UTC)", lambda e: format_utc(e.fetched, seconds=False) if e.fetched else "",
                       width=16),
            ]
        if self.view == "gaps":
            return [
                Column("source", "Source", lambda g: g.source, width=14),
                Column("description", "Gap", lambda g: g.description, min_width=20),
            ]
        rows = [*self.shown, *self.known]
        multi_day = len({c.time.date() for c in rows}) > 1
        wide = bool(self._wide)
        known = self._known_ids

        def event(c: Candidate) -> str:
            if id(c) in known:
                return KNOWN + c.event
            mark = TRIGGER if c.trigger else "\u2605 " if c.flag else ""
            who = "" if wide or not c.actor else f"{c.actor}: "
            return f"{mark}{who}{c.event}"

        columns = [
            # Seconds in the column, fractions in the detail panel (one precise
            # time must not widen the column of every row).
            Column("time", "UTC", (lambda c: format_utc(c.time.replace(microsecond=0))) if multi_day
                   else (lambda c: format_clock(c.time.replace(microsecond=0))), width=19 if multi_day else 8),
            Column("event", "Event", event, min_width=16,
                   style=lambda c: "collect--trigger" if c.trigger and id(c) not in known else None),
        ]
        if wide:
            columns.append(Column("actor", "Actor", lambda c: c.actor, width=12))
        return [*columns, Column("source", "Source", _source_text, width=22 if wide else 14),
                Column("kind", "Kind", lambda c: c.kind, width=13 if wide else 9),
                Column("confidence", "Conf", lambda c: f"{round(c.confidence * 100)}%", width=4)]

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        message.stop()
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.selection_detail()
        self.query_one(DetailPanel).show(detail[1] if detail is not None else Text(""))

    def selection_detail(self) -> tuple[str, Text] | None:
        row = self.table.cursor_value
        if isinstance(row, Candidate):
            # What it rests on comes before the event's own facts: the table
            # row already shows its time, kind and source.
            text = Text()
            if not self.shown:
                text.append(f"Every candidate is in the timeline (press {self.key('go.timeline')} to see it)\n",
                            style="bold")
            text.append(printable(row.event, multiline=True))
            rests_on = self._rests_on(row)
            if rests_on:
                text.append("\n" + one_line(" \u00b7 ".join(rests_on)))
            facts = [f"{format_utc(row.time)} UTC", row.kind, f"from {row.source}"]
            text.append("\n" + one_line(" \u00b7 ".join(facts)), style="dim")
            return "Candidate event", text
        if isinstance(row, Evidence):
            text = Text(f"{row.path}\n", style="bold")
            facts = [row.kind, f"from {row.source}", f"{row.size:,} bytes", f"sha256 {row.sha256}"]
            if row.fetched:
                facts.append(f"fetched {format_utc(row.fetched)} UTC")
            text.append(one_line(" \u00b7 ".join(facts)))
            if row.query:
                text.append("\nquery: " + printable(row.query, multiline=True), style="dim")
            return f"Evidence {row.id}", text
        if isinstance(row, Gap):
            text = Text(printable(row.description, multiline=True))
            text.append(f"\nfrom {one_line(row.source)}", style="dim")
            return "Data gap", text
        return None

    def _rests_on(self, row: Candidate) -> list[str]:
        """What a candidate rests on: the other sources that say it, the row
        that already holds it, whether it may be the trigger, its evidence."""
        parts = []
        if id(row) in self._known_ids:
            parts.append(f"already in the timeline ({', '.join(a for a in row.also_in if a.startswith('timeline'))})"
                         " \u2014 not added again")
        others = [a for a in row.also_in if not a.startswith("timeline")]
        if others:
            parts.append("also in " + ", ".join(others))
        if row.trigger:
            parts.append(f"{TRIGGER}possible trigger: the earliest change before the first symptom")
        n = len(row.refs)
        if n:
            parts.append(f"{n} evidence ref{'s' if n != 1 else ''} ({self.key('collect.open')} opens)")
        return parts

    def _rows(self) -> Sequence[Candidate | Evidence | Gap]:
        if self.view == "evidence":
            return self.session.pm.evidence
        if self.view == "gaps":
            return self.session.pm.gaps
        return [*self.shown, *self.known]

    def _empty_text(self) -> str:
        collect = self.key("collect.run")
        if self.view == "evidence":
            return f"No evidence yet: press {collect} to collect."
        if self.view == "gaps":
            return "No gaps recorded."
        if self.found:
            return f"Every candidate is in the timeline (press {self.key('go.timeline')} to see it)."
        return (f"No candidates yet: press {collect} to collect, then {self.key('collect.accept')} to accept one, "
                f"{self.key('collect.accept_all')} to accept all.")

    def _row_style(self, row: object) -> str | None:
        if isinstance(row, Candidate) and id(row) in self._known_ids:
            return "collect--known"
        if isinstance(row, Candidate):
            if row.flag:
                return "collect--flagged"
            if row.kind == "detection":
                return "collect--detection"
            if row.kind in ("mitigation", "resolution"):
                return "collect--resolution"
        if isinstance(row, Gap):
            return "collect--gap"
        return None

    def _rebuild(self) -> None:
        from pmtui.sources.collect import sift

        # The possible trigger first, then what people flagged at the source
        # (a pinned message), each part in time order as sift() gives it;
        # those a row already says after them.
        shown, matched = sift(self.session.pm, self.found)
        self.shown = sorted(shown, key=lambda c: (not c.trigger, not c.flag))
        self.known = [m.candidate for m in matched]
        self._known_ids = {id(c) for c in self.known}
        table = self.table
        table.empty_text = self._empty_text()
        table.row_style = self._row_style
        table.set_columns(self._columns())
        table.set_rows(self._rows())
        pm = self.session.pm
        views = " · ".join(
            f"[{n}]" if n == self.view else n
            for n in (f"candidates {len(self.shown)}", f"evidence {len(pm.evidence)}", f"gaps {len(pm.gaps)}")
        )
        switch = f"{self.key('collect.prev_list')} {self.key('collect.next_list')}"
        status = f"{views}   ({switch} switch)"
        if self.view == "candidates":
            from pmtui.sources.collect import marks_offered

            offered = marks_offered(pm, self.shown)
            if offered:
                status += "   accepting sets " + ", ".join(
                    f"{mark} {format_clock(c.time)}" for mark, c in sorted(offered.items()))
            if self.known:
                status = status.replace(f"candidates {len(self.shown)}",
                                        f"candidates {len(self.shown)} (+{len(self.known)} in the timeline)", 1)
        self.query_one("#collect-status", Static).update(Text(one_line(status)))
        self._show_detail()

    # -- collecting ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return any(st.state in ("waiting", "running") for st in self.states.values())

    def action_collect(self) -> None:
        from pmtui.sources.collect import CollectError, plan, window_for

        if self.running:
            self.notify(f"Collection is running; {self.key('collect.cancel')} cancels it.", timeout=3)
            return
        pm = self.session.pm
        try:
            window = window_for(pm)
            sources = plan(pm, demo=self._demo)
        except CollectError as exc:
            self.notify(one_line(str(exc)), severity="error", timeout=8)
            return
        if not sources:
            self.notify(f"No source is set: press {self.key('collect.settings')} to give a Prometheus or "
                        f"Alertmanager URL, or a Kubernetes deployment; {self.key('collect.people')} for Slack, "
                        f"PagerDuty or Loki, {self.key('collect.add_log')} to add a log file.",
                        severity="warning", timeout=8)
            return
        doc_path = self._doc_path()
        if doc_path is None:
            return
        self._trusted_then(lambda: self._start(sources, window, doc_path))

    def _trusted_then(self, go: Callable[[], None]) -> None:
        """`go()` once the user has answered, for each credential the file
        would send to a server they have not trusted with it, whether it may
        go (pmtui.trust remembers a yes; a no leaves that source a gap)."""
        from pmtui.sources.collect import credential_questions
        from pmtui.trust import TrustError

        questions = credential_questions(self.session.pm, demo=self._demo)

        def ask() -> None:
            if not questions:
                go()
                return
            source, question = questions.pop(0)

            def answered(yes: bool | None) -> None:
                if yes:
                    try:
                        question.remember()
                    except (OSError, TrustError) as err:
                        self.notify(Text(f"Could not remember the decision: {one_line(str(err))}"),
                                    severity="error", timeout=8)
                else:
                    self.notify(Text(f"{source.capitalize()}: no credential sent, so it is not queried (a gap). "
                                     f"Later: {question.command}"), timeout=8)
                ask()

            named_by = question.named_by
            if named_by == "user":
                named_by = "your own settings (the file names the variable)"
            self.app.push_screen(TrustScreen(
                where=question.where, named_by=named_by, purpose=f"{source.capitalize()}, to collect",
                credentials=[f"the value of ${name} (environment variable; never shown)"
                             for name in question.env_names]), answered)

        ask()

    def _start(self, sources: list[tuple[str, Runner]], window: Window, doc_path: Path) -> None:
        if self.running:
            return
        self.states = {name: SourceState() for name, _ in sources}
        self._show_sources()
        for name, run in sources:
            self.run_worker(
                lambda name=name, run=run: self._collect_one(name, run, window, doc_path),
                thread=True,
                group="collect",
                name=f"collect {name}",
                exit_on_error=False,
            )

    def _collect_one(self, name: str, run: Runner, window: Window, doc_path: Path) -> None:
        """Runs in a worker thread: only `call_from_thread` touches the UI."""
        from pmtui.sources.collect import context_for, run_one

        worker = get_current_worker()
        call = self.app.call_from_thread

        def progress(message: str, fraction: float | None = None) -> None:
            if not worker.is_cancelled:
                call(self._progress, name, message, fraction)

        ctx = context_for(doc_path, window, progress=progress, cancelled=lambda: worker.is_cancelled)
        call(self._progress, name, "starting", 0.0)
        result = run_one(name, run, ctx)
        call(self._finished, name, result, worker.is_cancelled)

    def _progress(self, name: str, message: str, fraction: float | None) -> None:
        st = self.states.get(name)
        if st is None or st.state not in ("waiting", "running"):
            return
        st.state, st.message, st.fraction = "running", message, fraction
        self._show_sources()

    def _finished(self, name: str, result: SourceResult, cancelled: bool) -> None:
        from pmtui.sources.collect import failed, record

        st = self.states.setdefault(name, SourceState())
        st.result = result
        if cancelled or st.state == "cancelled":
            st.state = "cancelled"
        else:
            st.state = "failed" if failed(result) else "done"
        self.found.extend(result.candidates)
        # Evidence and gaps describe what is on disk now: not an undoable
        # edit, but the file must be saved, so the session hears of it.
        record(self.session.pm, result)
        self.session.notify(Area.EVIDENCE, f"collected {name}")
        self._show_sources()
        if not self.running:
            # The figures the table shows: one candidate per happening, none a row already says.
            total = len(self.shown)
            gaps = sum(len(s.result.gaps) for s in self.states.values() if s.result)
            counts = f"{total} candidate{'s' if total != 1 else ''}, {gaps} gap{'s' if gaps != 1 else ''}"
            accept, accept_all = capitalized(self.key("collect.accept")), self.key("collect.accept_all")
            self.notify(f"Collected: {counts}. {accept} accepts one, {accept_all} all.", timeout=4)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape stops a collection; with none running it is not this pane's key.
        if action == "cancel":
            return self.running
        return True

    def action_cancel(self) -> None:
        if not self.running:
            self.notify("Nothing is being collected.", timeout=2)
            return
        for worker in self.workers:
            if worker.group == "collect":
                worker.cancel()
        # Shown as cancelled at once: a request in flight may take until its
        # timeout to return, and its late result is still recorded then.
        for st in self.states.values():
            if st.state in ("waiting", "running"):
                st.state, st.message = "cancelled", "cancelled; a request in flight ends at its timeout"
        self._show_sources()

    # -- accepting candidates --------------------------------------------------------

    def _accept(self, candidates: list[Candidate], label: str) -> int:
        """Accept the candidates as one edit; how many rows it added."""
        pm = self.session.pm
        before = len(pm.timeline)
        self.session.run(edits.accept_candidates(pm, candidates, label=label))
        return len(pm.timeline) - before

    def action_accept(self) -> None:
        if self.view != "candidates":
            self.action_open()
            return
        candidate = self.table.cursor_value
        if not isinstance(candidate, Candidate):
            return
        if id(candidate) in self._known_ids:
            self.notify("Already in the timeline: not added again.", timeout=3)
            return
        cursor = self.table.cursor_row
        self._accept([candidate], "accept candidate")
        self.table.move_cursor(cursor)

    def action_accept_all(self) -> None:
        if not self.shown:
            self.notify("No candidates to accept.", timeout=2)
            return
        n = self._accept(list(self.shown), "accept all candidates")
        self.notify(f"{n} events added to the timeline ({self.key('edit.undo')} undoes).", timeout=3)

    def action_next_kind(self) -> None:
        """The candidate's kind, before it is accepted: a guess (a Slack
        message's words) the engineer may correct; cycles through the kinds."""
        from pmtui.model import EVENT_KINDS

        candidate = self.table.cursor_value if self.view == "candidates" else None
        if not isinstance(candidate, Candidate):
            return
        i = EVENT_KINDS.index(candidate.kind) if candidate.kind in EVENT_KINDS else -1
        candidate.kind = EVENT_KINDS[(i + 1) % len(EVENT_KINDS)]
        self._rebuild()
        # The order may change (a symptom can make another row the possible
        # trigger): the cursor stays on this candidate.
        at = next((n for n, c in enumerate(self.shown) if c is candidate), None)
        if at is None:  # merged anew: the row with its words
            at = next((n for n, c in enumerate(self.shown) if c.time == candidate.time and c.event == candidate.event),
                      0)
        self.table.move_cursor(at)

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        if self.view == "candidates":
            self.action_accept()
        elif self.view == "evidence":
            self.action_open()

    # -- views -----------------------------------------------------------------------

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """The report's checklist points at a gap: show the gaps."""
        if section != "gaps":
            return False
        if self.view != "gaps":
            self.view = "gaps"
            self.table.cursor_row = 0
            self._rebuild()
        if isinstance(row, int):
            self.table.move_cursor(row)
        self.table.focus()
        return True

    def action_next_view(self, step: int = 1) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)]
        self.table.cursor_row = 0
        self._rebuild()

    def action_open(self) -> None:
        """The evidence under the cursor: a record of the evidence list, or
        the evidence a candidate refers to, at the place it names."""
        from pmtui.sources.evidence import parse_ref
        from pmtui.ui.screens.evidence import EvidenceScreen

        row = self.table.cursor_value
        if self.view == "gaps" or row is None:
            self.view = "evidence"
            self._rebuild()
            return
        doc_path = self._doc_path()
        if doc_path is None:
            return
        pm = self.session.pm
        if isinstance(row, Evidence):
            self.app.push_screen(EvidenceScreen(row, doc_path.parent, times=pm.times))
            return
        if not isinstance(row, Candidate):
            return
        records = {ev.id: ev for ev in pm.evidence}
        targets = [(records[r.id], r) for r in map(parse_ref, row.refs) if r.id in records]
        if not targets:
            self.notify("This candidate keeps no evidence that is on disk.", severity="warning", timeout=4)
            return
        first, ref = targets[0]
        self.app.push_screen(EvidenceScreen(first, doc_path.parent, ref, when=row.time, times=pm.times,
                                            targets=targets))

    # -- settings ----------------------------------------------------------------------

    def action_settings(self) -> None:
        from pmtui.ui.screens.form import Field, FormScreen

        s = self.session.pm.sources
        p, k = s.prometheus, s.kubernetes
        def when(d: datetime | None) -> str:
            return format_utc(d) if d else ""

        fields = [
            Field("window_start", "From", when(s.window_start), parse=self._parse_optional_time,
                  hint="blank: 30 min before the incident started"),
            Field("window_end", "To", when(s.window_end), parse=self._parse_optional_time,
                  hint="blank: 30 min after it was resolved"),
            Field("prometheus", "Prometheus", p.url, parse=self._parse_url, placeholder="http://prometheus:9090"),
            Field("auth", "Auth", p.auth, kind="select", options=("none", "bearer", "basic")),
            Field("token_env", "Token var", p.token_env, parse=self._parse_env,
                  hint="name of the environment variable holding the bearer token; never the token"),
            Field("username_env", "User var", p.username_env, parse=self._parse_env),
            Field("password_env", "Pass var", p.password_env, parse=self._parse_env),
            Field("alertmanager", "Alertmgr", s.alertmanager.url, parse=self._parse_url,
                  placeholder="http://alertmanager:9093"),
            Field("kubeconfig", "Kubeconfig", k.kubeconfig, placeholder="blank: $KUBECONFIG or ~/.kube/config"),
            Field("context", "Context", k.context),
            Field("namespace", "Namespace", k.namespace),
            Field("deployment", "Deployment", k.deployment),
            Field("selector", "Selector", k.selector, placeholder="app=api (instead of a deployment)"),
            Field("containers", "Containers", ", ".join(k.containers), placeholder="blank: every container"),
        ]

        def check(values: dict[str, Any]) -> dict[str, str]:
            errors = {}
            start, end = values["window_start"], values["window_end"]
            if start and end and end <= start:
                errors["window_end"] = "the window must end after it starts"
            if values["auth"] == "bearer" and not values["token_env"]:
                errors["token_env"] = "bearer auth needs the name of the variable holding the token"
            if values["auth"] == "basic" and not (values["username_env"] and values["password_env"]):
                errors["password_env"] = "basic auth needs the names of the user and password variables"
            return errors

        self.app.push_screen(FormScreen("Sources", fields, check=check), self._settings_done)

    def _settings_done(self, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        pm = self.session.pm
        new = copy.deepcopy(pm.sources)
        new.window_start, new.window_end = values["window_start"], values["window_end"]
        p, k = new.prometheus, new.kubernetes
        p.url, p.auth = values["prometheus"], values["auth"] or "none"
        p.token_env, p.username_env = values["token_env"], values["username_env"]
        p.password_env = values["password_env"]
        new.alertmanager.url = values["alertmanager"]
        for name in ("kubeconfig", "context", "namespace", "deployment", "selector"):
            setattr(k, name, values[name].strip())
        k.containers = [c.strip() for c in values["containers"].split(",") if c.strip()]
        self._set_sources(new)

    def _set_sources(self, new: SourceSettings) -> None:
        self.session.run(edits.set_sources(self.session.pm, new))

    def _parse_optional_time(self, text: str) -> datetime | None:
        # TimeParseError is a ValueError: the form shows its message in place.
        return parse_optional_time(text, base_date=self.session.pm.incident_date)

    @staticmethod
    def _parse_url(text: str) -> str:
        text = text.strip()
        if not text or text == "demo:":
            return text
        if _URL_PASSWORD_RE.match(text):
            raise ValueError("no credentials in the URL: they would be saved in the file. "
                             "Use Auth basic with the names of the variables that hold them.")
        if not re.match(r"^https?://[^\s/]+", text):
            raise ValueError("expected an http:// or https:// URL, e.g. http://prometheus:9090")
        return text.rstrip("/")

    @staticmethod
    def _parse_env(text: str) -> str:
        text = text.strip().lstrip("$")
        if text and not _ENV_NAME_RE.match(text):
            raise ValueError("expected the NAME of an environment variable, e.g. PROM_TOKEN — never the secret itself")
        return text

    # -- Slack, PagerDuty, Loki, log files -------------------------------------------------

    def action_people(self) -> None:
        from pmtui.ui.screens.form import Field, FormScreen

        s = self.session.pm.sources
        sl, pd, lk = s.slack, s.pagerduty, s.loki
        yes_no = ("no", "yes")
        fields = [
            Field("slack_channel", "Slack", sl.channel, placeholder="inc-2025-02-09-api or C0123ABCD",
                  hint="the incident channel; read with the Web API unless an export is given"),
            Field("slack_export", "Export", sl.export, parse=self._parse_path,
                  placeholder="a Slack export zip or folder, relative to this file"),
            Field("slack_token_env", "Token var", sl.token_env, parse=self._parse_env, placeholder="SLACK_TOKEN"),
            Field("slack_marks", "Marks", ", ".join(sl.marks),
                  placeholder="pushpin, star, white_check_mark (reactions ranked first)"),
            Field("slack_bots", "Bots", "yes" if sl.bots else "no", kind="select", options=yes_no),
            Field("slack_chatter", "Chatter", "yes" if sl.chatter else "no", kind="select", options=yes_no,
                  hint="yes: also short acknowledgements (ok, +1, thanks)"),
            Field("pd_incident", "PagerDuty", pd.incident, placeholder="incident id, e.g. Q1W2E3R4T5Y6U7"),
            Field("pd_file", "PD file", pd.file, parse=self._parse_path,
                  placeholder="or a saved log-entries JSON file"),
            Field("pd_service", "PD service", pd.service, placeholder="or a service id: its incidents in the window"),
            Field("pd_token_env", "PD key var", pd.token_env, parse=self._parse_env, placeholder="PAGERDUTY_TOKEN"),
            Field("loki_url", "Loki", lk.url, parse=self._parse_url, placeholder="http://loki:3100"),
            Field("loki_query", "LogQL", lk.query, placeholder='blank: the Kubernetes pods ({namespace="shop", ...})'),
            Field("loki_tenant", "Tenant", lk.tenant, placeholder="X-Scope-OrgID, if multi-tenant"),
            Field("loki_auth", "Loki auth", lk.auth, kind="select", options=("none", "bearer", "basic")),
            Field("loki_token_env", "Token var", lk.token_env, parse=self._parse_env, placeholder="LOKI_TOKEN"),
            Field("loki_username_env", "User var", lk.username_env, parse=self._parse_env),
            Field("loki_password_env", "Pass var", lk.password_env, parse=self._parse_env),
            Field("log_files", "Log files", "\n".join(s.files.paths), kind="text",
                  hint="one a line, relative to this file; FORMAT:PATH names the format (combined, journal, jsonl)"),
        ]

        def check(values: dict[str, Any]) -> dict[str, str]:
            errors = {}
            if values["loki_auth"] == "basic" and not (values["loki_username_env"] and values["loki_password_env"]):
                errors["loki_password_env"] = "basic auth needs the names of the user and password variables"
            return errors

        self.app.push_screen(FormScreen("Slack, PagerDuty, Loki and log files", fields, check=check),
                             self._people_done)

    def _people_done(self, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        new = copy.deepcopy(self.session.pm.sources)
        sl, pd, lk = new.slack, new.pagerduty, new.loki
        sl.channel, sl.export = values["slack_channel"].strip().lstrip("#"), values["slack_export"]
        sl.token_env = values["slack_token_env"]
        sl.marks = [m.strip().strip(":") for m in values["slack_marks"].split(",") if m.strip().strip(":")]
        sl.bots, sl.chatter = values["slack_bots"] == "yes", values["slack_chatter"] == "yes"
        pd.incident, pd.file = values["pd_incident"].strip(), values["pd_file"]
        pd.service, pd.token_env = values["pd_service"].strip(), values["pd_token_env"]
        lk.url, lk.query, lk.tenant = values["loki_url"], values["loki_query"].strip(), values["loki_tenant"].strip()
        lk.auth = values["loki_auth"] or "none"
        lk.token_env, lk.username_env = values["loki_token_env"], values["loki_username_env"]
        lk.password_env = values["loki_password_env"]
        new.files.paths = [line.strip() for line in values["log_files"].splitlines() if line.strip()]
        self._set_sources(new)

    def action_add_log(self) -> None:
        from pmtui.ui.screens.form import Field, FormScreen

        fields = [
            Field("path", "Log file", "", parse=self._parse_log_path, placeholder="logs/api.log.gz",
                  hint="plain text with times, an nginx/Apache access log, journalctl -o json or JSON lines; "
                       "gzip is fine"),
            Field("format", "Format", "auto", kind="select", options=LOG_FORMATS),
        ]
        self.app.push_screen(FormScreen("Add a log file", fields), self._add_log_done)

    def _add_log_done(self, values: dict[str, Any] | None) -> None:
        if values is None or not values["path"]:
            return
        fmt = values["format"] or "auto"
        entry = values["path"] if fmt == "auto" else f"{fmt}:{values['path']}"
        new = copy.deepcopy(self.session.pm.sources)
        if entry in new.files.paths:
            self.notify(f"{entry} is read already.", timeout=3)
            return
        new.files.paths.append(entry)
        self._set_sources(new)
        self.notify(f"Log file {entry} added: {self.key('collect.run')} collects it.", timeout=4)

    def _relative(self, text: str) -> str:
        """A path as the file keeps it: relative to the post-mortem's folder
        (never an absolute path of this machine)."""
        import os

        path = Path(text).expanduser()
        folder = self.context.document_path()
        if path.is_absolute() and folder is not None:
            return Path(os.path.relpath(path, folder.parent)).as_posix()
        return path.as_posix()

    def _parse_path(self, text: str) -> str:
        text = text.strip()
        return self._relative(text) if text else ""

    def _parse_log_path(self, text: str) -> str:
        text = text.strip()
        if not text:
            raise ValueError("the path of a log file, e.g. logs/api.log")
        path = Path(text).expanduser()
        folder = self.context.document_path()
        found = path if path.is_absolute() or folder is None else folder.parent / path
        if not found.is_file():
            raise ValueError(f"no file {text} (a path relative to this post-mortem's folder, or absolute)")
        return self._relative(text)


def _source_text(c: Candidate) -> str:
    """The source whose words the row shows, and how many more say it."""
    others = len([s for s in c.sources if s != c.source])
    return f"{c.source} +{others}" if others else c.source
