"""The Actions pane: the action items as a grid, with the checks for each
row shown beside it (vague wording, missing owner / deadline / priority)
and the rewrite hint for the row under the cursor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtui import checks
from pmtui.edits import actions as edits
from pmtui.edits.actions import SortKey
from pmtui.model import ACTION_STATUSES, ACTION_TYPES, PRIORITIES, ActionItem, PostMortem
from pmtui.session import Area, Change
from pmtui.textsafe import one_line
from pmtui.timeparse import DATE_FORMS, TimeParseError, parse_date
from pmtui.ui.messages import RowChosen, RowHighlighted
from pmtui.ui.panes.base import Pane
from pmtui.ui.screens.form import Field, FormScreen
from pmtui.ui.screens.trust import TrustScreen
from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.blametext import safe
from pmtui.ui.widgets.table import Column

if TYPE_CHECKING:
    from pmtui.export import ExportError, ExportSettings, ItemOutcome, Plan, Progress, Result, SyncChange
    from pmtui.export.github import GithubClient
    from pmtui.ui.screens.export import ExportScreen

WIDE = 120  # from this width every column fits; below it some move to the detail line


def row_problems(item: ActionItem) -> list[tuple[str, str]]:
    """(short label, hint) for each live check the row fails."""
    out = []
    hint = checks.vague_action(item.action)
    if hint:
        out.append(("vague", hint))
    missing = [name for name, bad in (
        ("owner", not item.owner.strip()),
        ("deadline", item.deadline is None),
        ("priority", item.priority not in PRIORITIES),
    ) if bad]
    if missing:
        out.append(("no " + "/".join(missing),
                    "Every item needs an owner (@handle), a deadline date and a priority (high, medium, low)."))
    for _start, _end, phrase, blame_hint in checks.blame_spans(item.action):
        out.append((f"blame {phrase!r}", blame_hint))
    return out


def _live_advice(text: str) -> str:
    """What the checks would say of an action's wording, as it is typed."""
    if not text.strip():
        return ""
    hints = [hint for _label, hint in row_problems_of_text(text)]
    return " ".join(hints)


def row_problems_of_text(text: str) -> list[tuple[str, str]]:
    out = []
    hint = checks.vague_action(text)
    if hint:
        out.append(("vague", hint))
    for _start, _end, phrase, blame_hint in checks.blame_spans(text):
        out.append((f"blame {phrase!r}", blame_hint))
    return out


class ActionsTable(BlameTable):
    COMPONENT_CLASSES: ClassVar[set[str]] = BlameTable.COMPONENT_CLASSES | {
        "actions--overdue",
        "actions--problem",
        "actions--ok",
        "actions--done",
    }


class ActionsPane(Pane):
    pane_name = "actions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="actions.add"),
        Binding("e", "edit", "Edit", id="actions.edit"),
        Binding("x,delete", "delete", "Delete", id="actions.delete"),
        Binding("v", "view", "View in full", id="actions.view"),
        Binding("E", "export", "Export to GitHub", id="actions.export"),
        Binding("O", "sort_next", "Order by priority/deadline", id="actions.sort"),
        Binding("S", "sync", "Sync from GitHub", id="actions.sync"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "actions--blame", "actions--muted", "actions--problem", "actions--ok", "actions--overdue",
    }

    _wide: bool | None = None
    _last_sort: str = ""
    export_screen: ExportScreen | None = None

    @property
    def pm(self) -> PostMortem:
        return self.session.pm

    def today(self) -> date:
        """The day for "overdue": the context's clock (fixed in tests and snapshots), in UTC."""
        return self.context.now().date()

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ActionsTable(
            [], row_style=self._row_style, empty_text=f"No action items yet: {self.key('actions.add')} adds one.",
            id="actions-table",
        )
        yield Static(id="actions-detail")

    @property
    def table(self) -> ActionsTable:
        return self.query_one(ActionsTable)

    def on_mount(self) -> None:
        self._set_columns()
        self.refresh_rows()
        self.table.focus()

    def on_resize(self) -> None:
        self._set_columns()

    def on_change(self, change: Change) -> None:
        # Analysis edits can unlink a factor the Factor column shows.
        if change.area not in (Area.ACTIONS, Area.ANALYSIS, Area.EXPORT):
            return
        focus = change.focus if isinstance(change.focus, ActionItem) else None
        self.refresh_rows(focus)

    def _overdue(self, item: ActionItem) -> bool:
        return item.deadline is not None and item.deadline < self.today() and item.status != "done"

    def _row_style(self, item: ActionItem) -> str | None:
        return "actions--overdue" if self._overdue(item) else ("actions--done" if item.status == "done" else None)

    def _checks_cell(self, item: ActionItem) -> str:
        problems = row_problems(item)
        return "\u26a0 " + ", ".join(label for label, _ in problems) if problems else "\u2713"

    def _checks_short(self, item: ActionItem) -> str:
        problems = row_problems(item)
        if not problems:
            return "\u2713"
        return f"\u26a0 {problems[0][0]}" if len(problems) == 1 else f"\u26a0 {len(problems)}"

    def _tracking(self, item: ActionItem) -> str:
        if item.issue is not None:
            return f"#{item.issue}"
        return item.tracker or "-"

    def _set_columns(self) -> None:
        wide = self.size.width >= WIDE if self.size.width else False
        if wide == self._wide:
            return
        self._wide = wide
        def deadline_style(a: ActionItem) -> str | None:
            return "actions--overdue" if self._overdue(a) else None

        def checks_style(a: ActionItem) -> str | None:
            return "actions--problem" if row_problems(a) else "actions--ok"

        columns = [
            Column("id", "ID", lambda a: a.id, width=6),
            Column("action", "Action", lambda a: a.action, min_width=16),
            Column("owner", "Owner", lambda a: a.owner or "-", width=10 if wide else 9),
            Column("deadline", "Deadline", lambda a: a.deadline.isoformat() if a.deadline else "-", width=10,
                   style=deadline_style),
            Column("priority", "Priority" if wide else "Pri", lambda a: a.priority or "-", width=8 if wide else 6),
        ]
        if wide:
            columns += [
                Column("type", "Type", lambda a: a.type, width=8),
                Column("status", "Status", lambda a: a.status, width=11),
                Column("factor", "Factor", lambda a: a.factor or "-", width=6),
                Column("tracking", "Tracking", self._tracking, width=12),
                Column("checks", "Checks", self._checks_cell, min_width=16, style=checks_style),
            ]
        else:
            # At 80 columns the action gets the room: the detail panel under
            # the table says status and checks in full.
            columns += [
                Column("status", "Status", lambda a: "in prog" if a.status == "in progress" else a.status, width=7),
                Column("checks", "Checks", self._checks_short, width=8, style=checks_style),
            ]
        self.table.set_columns(columns)

    def refresh_rows(self, focus: ActionItem | None = None) -> None:
        table = self.table
        cursor = None
        if focus is not None and focus in self.pm.actions:
            cursor = self.pm.actions.index(focus)
        table.set_rows(self.pm.actions, cursor=cursor)
        self._refresh_detail()

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        if message.table is self.table:
            self._refresh_detail()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"actions--{name}", partial=True)

    def _refresh_detail(self) -> None:
        detail = self.query_one("#actions-detail", Static)
        item = self.table.cursor_value
        if item is None:
            detail.update(Text("Next id: " + self.pm.next_action_id(), self._style("muted")))
            return
        detail.update(self._detail_text(item))

    def _detail_text(self, item: ActionItem) -> Text:
        blame = self._style("blame")
        text = Text(f"{item.id} ", style="bold")
        text.append_text(safe(item.action, blame, multiline=True))
        facts = [
            f"owner {item.owner or '-'}",
            f"due {item.deadline.isoformat() if item.deadline else '-'}",
            f"priority {item.priority or '-'}",
            f"type {item.type}",
            f"status {item.status}",
            f"factor {item.factor or '-'}",
            f"tracking {self._tracking(item)}",
        ]
        text.append("\n")
        text.append_text(safe(" \u00b7 ".join(facts), blame, style=self._style("muted")))
        if self._overdue(item) and item.deadline is not None:
            text.append(f"  overdue since {item.deadline.isoformat()}", self._style("overdue"))
        problems = row_problems(item)
        if not problems:
            text.append("\n\u2713 specific, owned, dated and prioritised", self._style("ok"))
        for label, hint in problems:
            text.append(f"\n\u26a0 {label}: ", self._style("problem"))
            text.append_text(safe(hint, blame))
        return text

    # -- location (from the report's checklist) ------------------------------

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        if section != "actions":
            return False
        index = 0
        if isinstance(row, str):
            index = next((i for i, a in enumerate(self.pm.actions) if a.id == row), 0)
        elif isinstance(row, int):
            index = row
        self.table.move_cursor(index)
        self._refresh_detail()
        self.table.focus()
        return True

    # -- actions -------------------------------------------------------------

    def _fields(self, item: ActionItem | None) -> list[Field]:
        today = self.today()
        factor_ids = [f.id for f in self.pm.factors]

        def parse_action(text: str) -> str:
            text = text.strip()
            if not text:
                raise ValueError("the action cannot be empty: say what will exist when it is done")
            return text

        def parse_deadline(text: str) -> date | None:
            if not text.strip():
                return None
            try:
                return parse_date(text, today=today)
            except TimeParseError as exc:
                raise ValueError(str(exc)) from None

        def parse_factor(text: str) -> str:
            text = text.strip()
            if text and text not in factor_ids:
                known = f"; one of: {', '.join(factor_ids)}" if factor_ids else ""
                raise ValueError(f"no contributing factor {text!r}{known}")
            return text

        def parse_tracker(text: str) -> str:
            text = text.strip()
            if text and not text.lower().startswith(("http://", "https://")):
                raise ValueError(f"{text!r} is not a link; expected an http(s) URL or nothing")
            return text

        return [
            Field("action", "Action", item.action if item else "", parse=parse_action,
                  hint='Specific and verifiable: "Add <metric> to <dashboard>, alert at <threshold>".',
                  advice=_live_advice),
            Field("owner", "Owner", item.owner if item else "", placeholder="@handle"),
            Field("deadline", "Deadline", item.deadline.isoformat() if item and item.deadline else "",
                  parse=parse_deadline, placeholder="+2w", hint=f"Accepts {DATE_FORMS}."),
            Field("priority", "Priority", item.priority if item else "", kind="select", options=PRIORITIES),
            Field("type", "Type", item.type if item else "prevent", kind="select", options=ACTION_TYPES),
            Field("status", "Status", item.status if item else "open", kind="select", options=ACTION_STATUSES),
            Field("factor", "Factor", item.factor if item else "", kind="select", parse=parse_factor,
                  options=[("(none)", ""), *((one_line(f"{f.id} {f.text}", 60), f.id) for f in self.pm.factors)],
                  hint="The contributing factor it addresses." if factor_ids else "No contributing factors yet."),
            Field("tracker", "Tracking", item.tracker if item else "", parse=parse_tracker, placeholder="https://…"),
        ]

    def action_add(self) -> None:
        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            index = self.table.cursor_row + 1 if self.pm.actions else 0
            self.session.run(edits.add_action(self.pm, index, values))

        self.app.push_screen(FormScreen(f"New action item {self.pm.next_action_id()}", self._fields(None)), done)

    def action_edit(self) -> None:
        item = self.table.cursor_value
        if item is None:
            return

        def done(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.session.run(edits.edit_action(self.pm, item, values))

        self.app.push_screen(FormScreen(f"Edit {item.id}", self._fields(item)), done)

    def on_row_chosen(self, message: RowChosen) -> None:
        if message.table is self.table:
            self.action_edit()

    def action_delete(self) -> None:
        item = self.table.cursor_value
        if item is None:
            return
        self.session.run(edits.delete_action(self.pm, item))
        self.notify(one_line(f"Deleted {item.id} ({self.key('edit.undo')} undoes)"))

    def action_sort_next(self) -> None:
        """Priority first; pressed again (or already so), by deadline."""
        focus = self.table.cursor_value
        for by in (("deadline", "priority") if self._last_sort == "priority" else ("priority", "deadline")):
            if self.session.run(edits.sort_actions(self.pm, by, focus=focus)):
                self._last_sort = by
                self.notify(f"Ordered by {by} ({self.key('edit.undo')} undoes, {self.key('actions.sort')} "
                            f"orders by {'deadline' if by == 'priority' else 'priority'}).", timeout=3)
                return
        self.notify("Already in order of priority and of deadline.", timeout=2)

    def selection_detail(self) -> tuple[str, Text] | None:
        item = self.table.cursor_value
        if item is None:
            return None
        return f"{item.id}", self._detail_text(item)

    def action_sort(self, by: SortKey) -> None:
        """Reorder the items themselves (stable, undoable): the report's
        table and the exported issues follow the order chosen here."""
        if not self.session.run(edits.sort_actions(self.pm, by, focus=self.table.cursor_value)):
            self.notify(f"Already sorted by {by}")

    # -- export to GitHub ----------------------------------------------------------

    def _export_copy(self) -> PostMortem:
        """What the export threads read and write: the items copied (apply
        writes issue links into the items it is given; the real ones change
        only through the session, on this thread)."""
        snap = copy.copy(self.pm)
        snap.actions = [copy.copy(a) for a in self.pm.actions]
        snap.factors = list(self.pm.factors)
        return snap

    def _export_error(self, exc: ExportError) -> None:
        message = Text(f"Export: {one_line(exc.message)}")
        if exc.hint:
            message.append(f"\n{one_line(exc.hint)}")
        self.notify(message, severity="error", timeout=10)

    def action_export(self) -> None:
        from pmtui import export

        try:
            settings = export.settings_for(self.pm)
        except export.ExportError as exc:
            self._export_error(exc)
            return

        def go() -> None:
            self.notify(f"Export: reading {one_line(settings.repo)} on GitHub\u2026", timeout=3)
            self._export_plan(self._export_copy(), settings)

        self._trusted_then(settings, go)

    def _trusted_then(self, settings: ExportSettings, go: Callable[[], None]) -> None:
        """`go()` once the GitHub token may go to settings.base_url: a base
        URL the file chose is shown and asked about before its first use,
        and the answer remembered in the user's trust.toml (pmtui.trust).
        Plain http to another host is refused outright."""
        from pmtui import export
        from pmtui.trust import GITHUB, Trust, is_loopback, origin

        try:
            export.check_trust(settings)
        except export.ExportError as exc:
            if settings.base_url.startswith("http://") and not is_loopback(settings.base_url):
                self._export_error(exc)  # plain http: refused whatever the answer would be
                return
            where = origin(settings.base_url)

            def answered(yes: bool | None) -> None:
                if not yes:
                    self.notify("Export not started: the token was not sent.", timeout=4)
                    return
                try:
                    Trust.load().remember(settings.base_url, GITHUB)
                except (OSError, ValueError) as err:
                    self.notify(Text(f"Could not remember the decision: {one_line(str(err))}"), severity="error")
                    return
                go()

            # enter keeps the token (ui/screens/trust.py): the safe answer is the easy one
            self.app.push_screen(TrustScreen(
                where=where, named_by="the file's [export.github] base_url", purpose="GitHub export",
                credentials=["your GitHub token (GITHUB_TOKEN, GH_TOKEN or `gh auth token`; never shown)"]),
                answered)
            return
        go()

    # description given: otherwise Textual reprs the whole post-mortem.
    @work(thread=True, exclusive=True, group="actions-export", exit_on_error=False, description="export plan")
    def _export_plan(self, pm: PostMortem, settings: ExportSettings) -> None:
        from pmtui import export

        worker = get_current_worker()
        try:
            client = export.connect(settings)
            plan = export.plan(pm, settings, client, cancelled=lambda: worker.is_cancelled)
        except export.ExportError as exc:
            self.app.call_from_thread(self._export_error, exc)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._confirm_export, pm, plan, client)

    def _confirm_export(self, pm: PostMortem, plan: Plan, client: GithubClient) -> None:
        from pmtui.ui.screens.export import ExportScreen

        def cancel() -> None:
            self.workers.cancel_group(self, "actions-export-apply")

        def confirm() -> None:
            self._export_apply(pm, plan, client, screen)

        screen = ExportScreen(plan, on_confirm=confirm, on_cancel=cancel)
        self.export_screen = screen
        self.app.push_screen(screen)

    @work(thread=True, exclusive=True, group="actions-export-apply", exit_on_error=False, description="export apply")
    def _export_apply(self, pm: PostMortem, plan: Plan, client: GithubClient, screen: ExportScreen) -> None:
        from pmtui import export

        worker = get_current_worker()

        def progress(p: Progress) -> None:
            message = p.message
            if p.wait_left is not None:
                message += f" ({p.wait_left:.0f} s)"
            if p.total:
                message = f"[{p.done}/{p.total}] {message}"
            self.app.call_from_thread(screen.progress, message)

        def item_done(outcome: ItemOutcome) -> None:
            self.app.call_from_thread(self._record_link, outcome, True)

        try:
            result = export.apply(pm, plan, client, progress=progress, cancelled=lambda: worker.is_cancelled,
                                  on_item_done=item_done)
        finally:
            client.close()
        self.app.call_from_thread(self._export_finished, result, screen)

    def _record_link(self, outcome: ItemOutcome, save: bool) -> bool:
        """Write an issue's number and link into the item, undoably; with
        `save`, into the file at once (a crash later must not lose the link
        and make a re-run create the issue twice)."""
        if not self.session.run(edits.link_issue(self.pm, outcome.item_id, outcome.number, outcome.url)):
            return False
        if save:
            self.context.save()
        return True

    # -- sync from GitHub -------------------------------------------------------------

    def action_sync(self) -> None:
        from pmtui import export

        try:
            settings = export.settings_for(self.pm)
        except export.ExportError as exc:
            self._export_error(exc)
            return

        def go() -> None:
            self.notify(f"Sync: reading the issues of {one_line(settings.repo)}\u2026", timeout=3)
            self._sync_plan(self._export_copy(), settings)

        self._trusted_then(settings, go)

    @work(thread=True, exclusive=True, group="actions-sync", exit_on_error=False, description="sync plan")
    def _sync_plan(self, pm: PostMortem, settings: ExportSettings) -> None:
        from pmtui import export

        worker = get_current_worker()
        try:
            client = export.connect(settings)
            try:
                changes = export.plan_sync(pm, settings, client, cancelled=lambda: worker.is_cancelled)
            finally:
                client.close()
        except export.ExportError as exc:
            self.app.call_from_thread(self._export_error, exc)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._sync_apply, changes)

    def _sync_apply(self, changes: Sequence[SyncChange]) -> None:
        """What GitHub says, into the items as one undoable edit."""
        pending = edits.pending_sync(self.pm, changes)
        if not self.session.run(edits.sync_from_tracker(self.pm, pending)):
            self.notify("Sync: every item already matches its issue.", timeout=3)
            return
        lines = "\n".join(f"{c.item_id} {c.field}: {one_line(str(c.old or '-'), 40)} \u2192 "
                          f"{one_line(str(c.new), 40)} ({one_line(c.why, 60)})" for c in pending)
        self.notify(f"Synced from GitHub ({self.key('edit.undo')} undoes):\n{lines}", timeout=8)

    def _export_finished(self, result: Result, screen: ExportScreen) -> None:
        changed = [self._record_link(o, False) for o in result.outcomes]
        if any(changed):
            self.context.save()
        screen.finished(result)
