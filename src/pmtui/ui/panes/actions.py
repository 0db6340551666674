"""The Actions pane: the action items as a grid, with the checks for each
row shown beside it (vague wording, missing owner / deadline / priority)
and the rewrite hint for the row under the cursor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from pmtui import checks
from pmtui.model import ACTION_STATUSES, ACTION_TYPES, PRIORITIES, ActionItem
from pmtui.session import Change, EditSession
from pmtui.textsafe import one_line
from pmtui.timeparse import DATE_FORMS, TimeParseError, parse_date
from pmtui.ui.messages import RowHighlighted
from pmtui.ui.screens.form import Field, FormScreen
from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.blametext import safe
from pmtui.ui.widgets.table import Column

AREA = "actions"
WIDE = 120  # from this width every column fits; below it some move to the detail line
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


def today_utc() -> date:
    return datetime.now(UTC).date()


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
        out.append(("no " + "/".join(missing), "Every item needs an owner (@handle), a deadline date and a priority (high, medium, low)."))
    for start, end, phrase, hint in checks.blame_spans(item.action):
        out.append((f"blame {phrase!r}", hint))
    return out


def sort_key_priority(item: ActionItem) -> tuple:
    return (PRIORITY_RANK.get(item.priority, len(PRIORITIES)), item.deadline or date.max)


def sort_key_deadline(item: ActionItem) -> tuple:
    return (item.deadline or date.max, PRIORITY_RANK.get(item.priority, len(PRIORITIES)))


class ActionsTable(BlameTable):
    COMPONENT_CLASSES = BlameTable.COMPONENT_CLASSES | {
        "actions--overdue",
        "actions--problem",
        "actions--ok",
        "actions--done",
    }


class ActionsPane(Widget):
    BINDINGS = [
        Binding("a", "add", "Add", id="actions.add"),
        Binding("e", "edit", "Edit", id="actions.edit"),
        Binding("x,delete", "delete", "Delete", id="actions.delete"),
        Binding("p", "sort('priority')", "Sort by priority", id="actions.sort_priority"),
        Binding("t", "sort('deadline')", "Sort by deadline", id="actions.sort_deadline"),
        Binding("E", "export", "Export to GitHub", id="actions.export"),
        Binding("S", "sync", "Sync from GitHub", id="actions.sync"),
    ]

    COMPONENT_CLASSES = {"actions--blame", "actions--muted", "actions--problem", "actions--ok", "actions--overdue"}

    def __init__(self, session: EditSession, *, today: Callable[[], date] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._today = today
        self._unsubscribe: Callable[[], None] | None = None
        self._wide: bool | None = None

    @property
    def pm(self):
        return self.session.pm

    def today(self) -> date:
        """The clock for "overdue": injected for tests, else the app's
        (PmApp may carry one for deterministic snapshots), else UTC today."""
        if self._today is not None:
            return self._today()
        clock = getattr(self.app, "now", None)
        if callable(clock):
            now = clock()
            return now.date() if isinstance(now, datetime) else now
        return today_utc()

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ActionsTable([], row_style=self._row_style, empty_text="No action items yet: a adds one.", id="actions-table")
        yield Static(id="actions-detail")

    @property
    def table(self) -> ActionsTable:
        return self.query_one(ActionsTable)

    def on_mount(self) -> None:
        self._unsubscribe = self.session.subscribe(self._on_change)
        self._set_columns()
        self.refresh_rows()
        self.table.focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_resize(self) -> None:
        self._set_columns()

    def _on_change(self, change: Change) -> None:
        # Analysis edits can unlink a factor the Factor column shows.
        if change.area not in (AREA, "analysis", "export"):
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

    def _tracking(self, item: ActionItem) -> str:
        if item.issue is not None:
            return f"#{item.issue}"
        return item.tracker or "-"

    def _set_columns(self) -> None:
        wide = self.size.width >= WIDE if self.size.width else False
        if wide == self._wide:
            return
        self._wide = wide
        deadline_style = lambda a: "actions--overdue" if self._overdue(a) else None  # noqa: E731
        checks_style = lambda a: "actions--problem" if row_problems(a) else "actions--ok"  # noqa: E731
        columns = [
            Column("id", "ID", lambda a: a.id, width=6),
            Column("action", "Action", lambda a: a.action, min_width=16),
            Column("owner", "Owner", lambda a: a.owner or "-", width=10 if wide else 9),
            Column("deadline", "Deadline", lambda a: a.deadline.isoformat() if a.deadline else "-", width=10, style=deadline_style),
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
            columns += [
                Column("status", "Status", lambda a: a.status, width=6),
                Column("checks", "Checks", self._checks_cell, min_width=12, style=checks_style),
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

    def _style(self, name: str):
        return self.get_component_rich_style(f"actions--{name}", partial=True)

    def _refresh_detail(self) -> None:
        detail = self.query_one("#actions-detail", Static)
        item = self.table.cursor_value
        if item is None:
            detail.update(Text("Next id: " + self.pm.next_action_id(), self._style("muted")))
            return
        blame = self._style("blame")
        text = Text(f"{item.id} ", style="bold")
        text.append_text(safe(item.action, blame))
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
        if self._overdue(item):
            text.append(f"  overdue since {item.deadline.isoformat()}", self._style("overdue"))
        problems = row_problems(item)
        if not problems:
            text.append("\n\u2713 specific, owned, dated and prioritised", self._style("ok"))
        for label, hint in problems:
            text.append(f"\n\u26a0 {label}: ", self._style("problem"))
            text.append_text(safe(hint, blame))
        detail.update(text)

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
                raise ValueError(f"no contributing factor {text!r}" + (f"; one of: {', '.join(factor_ids)}" if factor_ids else ""))
            return text

        def parse_tracker(text: str) -> str:
            text = text.strip()
            if text and not text.lower().startswith(("http://", "https://")):
                raise ValueError(f"{text!r} is not a link; expected an http(s) URL or nothing")
            return text

        return [
            Field("action", "Action", item.action if item else "", parse=parse_action,
                  hint='Specific and verifiable: "Add <metric> to <dashboard>, alert at <threshold>".'),
            Field("owner", "Owner", item.owner if item else "", placeholder="@handle"),
            Field("deadline", "Deadline", item.deadline.isoformat() if item and item.deadline else "",
                  parse=parse_deadline, placeholder="+2w", hint=f"Accepts {DATE_FORMS}."),
            Field("priority", "Priority", item.priority if item else "", kind="select", options=PRIORITIES),
            Field("type", "Type", item.type if item else "prevent", kind="select", options=ACTION_TYPES),
            Field("status", "Status", item.status if item else "open", kind="select", options=ACTION_STATUSES),
            Field("factor", "Factor", item.factor if item else "", parse=parse_factor, placeholder="F1",
                  hint=("Factors: " + ", ".join(factor_ids)) if factor_ids else "No contributing factors yet."),
            Field("tracker", "Tracking", item.tracker if item else "", parse=parse_tracker, placeholder="https://…"),
        ]

    def action_add(self) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            values["type"] = values["type"] or "prevent"
            values["status"] = values["status"] or "open"
            item = ActionItem(self.pm.next_action_id(), **values)
            index = self.table.cursor_row + 1 if self.pm.actions else 0
            self.session.insert(AREA, f"add {item.id}", self.pm.actions, index, item)

        self.app.push_screen(FormScreen(f"New action item {self.pm.next_action_id()}", self._fields(None)), done)

    def action_edit(self) -> None:
        item = self.table.cursor_value
        if item is None:
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            values["type"] = values["type"] or item.type
            values["status"] = values["status"] or item.status
            old = {k: getattr(item, k) for k in values}
            if old == values:
                return

            def put(data: dict) -> Callable[[], None]:
                def run() -> None:
                    for k, v in data.items():
                        setattr(item, k, v)

                return run

            self.session.apply(AREA, f"edit {item.id}", put(values), put(old), focus=item)

        self.app.push_screen(FormScreen(f"Edit {item.id}", self._fields(item)), done)

    def on_row_chosen(self, message) -> None:
        if message.table is self.table:
            self.action_edit()

    def action_delete(self) -> None:
        item = self.table.cursor_value
        if item is None:
            return
        self.session.remove(AREA, f"delete {item.id}", self.pm.actions, item)
        self.notify(Text(one_line(f"Deleted {item.id} (u undoes)")))

    def action_sort(self, by: str) -> None:
        """Reorder the items themselves (stable, undoable): the report's
        table and the exported issues follow the order chosen here."""
        items = self.pm.actions
        key = sort_key_priority if by == "priority" else sort_key_deadline
        old = list(items)
        new = sorted(items, key=key)
        focus = self.table.cursor_value
        if all(a is b for a, b in zip(new, old)):
            self.notify(Text(f"Already sorted by {by}"))
            return

        def put(order: list[ActionItem]) -> Callable[[], None]:
            def run() -> None:
                items[:] = order

            return run

        self.session.apply(AREA, f"sort by {by}", put(new), put(old), focus=focus)

    # -- export to GitHub ----------------------------------------------------------

    def _export_copy(self):
        """What the export threads read and write: the items copied (apply
        writes issue links into the items it is given; the real ones change
        only through the session, on this thread)."""
        snap = copy.copy(self.pm)
        snap.actions = [copy.copy(a) for a in self.pm.actions]
        snap.factors = list(self.pm.factors)
        return snap

    def _export_error(self, exc) -> None:
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
        self.notify(Text(f"Export: reading {one_line(settings.repo)} on GitHub\u2026"), timeout=3)
        self._export_plan(self._export_copy(), settings)

    # description given: otherwise Textual reprs the whole post-mortem.
    @work(thread=True, exclusive=True, group="actions-export", exit_on_error=False, description="export plan")
    def _export_plan(self, pm, settings) -> None:
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

    def _confirm_export(self, pm, plan, client) -> None:
        from pmtui.ui.screens.export import ExportScreen

        def cancel() -> None:
            self.workers.cancel_group(self, "actions-export-apply")

        screen = ExportScreen(plan, on_confirm=lambda: self._export_apply(pm, plan, client, screen), on_cancel=cancel)
        self.export_screen = screen
        self.app.push_screen(screen)

    @work(thread=True, exclusive=True, group="actions-export-apply", exit_on_error=False, description="export apply")
    def _export_apply(self, pm, plan, client, screen) -> None:
        from pmtui import export

        worker = get_current_worker()

        def progress(p) -> None:
            message = p.message
            if p.wait_left is not None:
                message += f" ({p.wait_left:.0f} s)"
            if p.total:
                message = f"[{p.done}/{p.total}] {message}"
            self.app.call_from_thread(screen.progress, message)

        def item_done(outcome) -> None:
            self.app.call_from_thread(self._record_link, outcome, True)

        try:
            result = export.apply(pm, plan, client, progress=progress, cancelled=lambda: worker.is_cancelled,
                                  on_item_done=item_done)
        finally:
            client.close()
        self.app.call_from_thread(self._export_finished, result, screen)

    def _record_link(self, outcome, save: bool) -> bool:
        """Write an issue's number and link into the item, undoably; with
        `save`, into the file at once (a crash later must not lose the link
        and make a re-run create the issue twice)."""
        item = next((a for a in self.pm.actions if a.id == outcome.item_id), None)
        if item is None or outcome.number is None or (item.issue, item.tracker) == (outcome.number, outcome.url):
            return False
        old, new = (item.issue, item.tracker), (outcome.number, outcome.url or item.tracker)

        def put(values: tuple) -> Callable[[], None]:
            def run() -> None:
                item.issue, item.tracker = values

            return run

        self.session.apply("export", f"link {item.id} to #{outcome.number}", put(new), put(old), focus=item)
        save_file = getattr(self.app, "save", None)
        if save and callable(save_file):
            save_file()
        return True

    # -- sync from GitHub -------------------------------------------------------------

    def action_sync(self) -> None:
        from pmtui import export

        try:
            settings = export.settings_for(self.pm)
        except export.ExportError as exc:
            self._export_error(exc)
            return
        self.notify(f"Sync: reading the issues of {one_line(settings.repo)}\u2026", timeout=3)
        self._sync_plan(self._export_copy(), settings)

    @work(thread=True, exclusive=True, group="actions-sync", exit_on_error=False, description="sync plan")
    def _sync_plan(self, pm, settings) -> None:
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

    def _sync_apply(self, changes) -> None:
        """What GitHub says, into the items as one undoable edit."""
        items = {a.id: a for a in self.pm.actions}
        changes = [c for c in changes if c.item_id in items and getattr(items[c.item_id], c.field) == c.old]
        if not changes:
            self.notify("Sync: every item already matches its issue.", timeout=3)
            return

        def put(use_new: bool) -> Callable[[], None]:
            def run() -> None:
                for c in changes if use_new else reversed(changes):
                    setattr(items[c.item_id], c.field, c.new if use_new else c.old)

            return run

        self.session.apply("export", f"sync {len(changes)} changes from GitHub", put(True), put(False),
                           focus=items[changes[0].item_id])
        lines = "\n".join(f"{c.item_id} {c.field}: {one_line(str(c.old or '-'), 40)} \u2192 "
                          f"{one_line(str(c.new), 40)} ({one_line(c.why, 60)})" for c in changes)
        self.notify(f"Synced from GitHub (ctrl+z undoes):\n{lines}", timeout=8)

    def _export_finished(self, result, screen) -> None:
        changed = [self._record_link(o, False) for o in result.outcomes]
        if any(changed):
            save_file = getattr(self.app, "save", None)
            if callable(save_file):
                save_file()
        screen.finished(result)
