"""The export screen of the Actions pane: the dry run listed item by item
(create / update / link / unchanged / skip), then progress, then each
issue's link. The pane runs plan and apply in thread workers; this screen
only shows what they report and answers yes, no or cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from pmtui.textsafe import one_line
from pmtui.ui.keys import keys_for
from pmtui.ui.screens.dialog import Dialog

if TYPE_CHECKING:
    from pmtui.export import Plan, Result

_MARKS = {"create": "+", "update": "~", "link": "=", "unchanged": " ", "skip": "-"}


class ExportScreen(Dialog[bool]):
    """Dismisses True when the user confirms the export, False otherwise.
    After confirming it stays open (the pane calls `running`, `progress`
    and `finished`); escape then asks the pane to cancel. Enter never
    exports: it is the safe answer (cancel, later close)."""

    DEFAULT_CSS = """
    ExportScreen > #dialog { width: 110; padding: 0 1; }
    ExportScreen VerticalScroll { height: auto; max-height: 1fr; }
    ExportScreen .export--status { color: $text-muted; }
    """

    SAFE_ID = "export.close"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Export", id="export.confirm"),
        Binding("n,escape,enter", "close", "Cancel", id="export.close"),
    ]

    def __init__(self, plan: Plan, *, on_confirm: Callable[[], object], on_cancel: Callable[[], object]) -> None:
        self.plan = plan
        question = "Dry run: " + plan.summary() + "."
        question += " Write this to GitHub?" if plan.has_writes else " Nothing to write."
        super().__init__(question, title=f"Export action items to {one_line(plan.settings.repo)}")
        self.state = "confirm"  # confirm | running | done
        self.on_confirm = on_confirm
        self.on_cancel = on_cancel
        self.confirmed = False

    def compose_body(self) -> Iterable[Widget]:
        yield VerticalScroll(Static(self._listing(), id="export-list"))
        yield Static(Text(""), id="export-status", classes="export--status")

    def _listing(self) -> Text:
        text = Text()
        for i, item in enumerate(self.plan.items):
            if i:
                text.append("\n")
            mark = _MARKS.get(item.action, "?")
            text.append(f"{mark} {item.action:<9} ", style="bold" if item.writes else "")
            text.append(one_line(item.title, 70))
            where = f" #{item.number}" if item.number else ""
            text.append(f"{where}  {one_line(item.why)}", style="dim")
        if self.plan.missing_labels:
            text.append("\n+ labels to create: " + ", ".join(one_line(n) for n in self.plan.missing_labels))
        return text

    def action_confirm(self) -> None:
        if self.state != "confirm":
            return
        if not self.plan.has_writes:
            self.dismiss(False)
            return
        self.confirmed = True
        self.state = "running"
        self.set_keys_text(Text(f"{self._close_key()} cancel"))
        self.progress("Starting…")
        # The pane starts apply at once; the screen stays up to show progress.
        self.on_confirm()

    def action_close(self) -> None:
        if self.state == "running":
            self.on_cancel()
            self.progress("Cancelling after the current request…")
            return
        self.dismiss(self.confirmed)

    def progress(self, message: str) -> None:
        self.query_one("#export-status", Static).update(Text(one_line(message)))

    def finished(self, result: Result) -> None:
        self.state = "done"
        text = Text()
        for i, outcome in enumerate(result.outcomes):
            if i:
                text.append("\n")
            text.append(f"{outcome.item_id}  {outcome.status:<10} ", style="bold")
            if outcome.url:
                text.append(one_line(outcome.url))
            if outcome.message:
                text.append(f"  {one_line(outcome.message)}", style="dim")
            for warning in outcome.warnings:
                text.append(f"\n    ! {one_line(warning)}")
        self.query_one("#export-list", Static).update(text)
        status = "Done: " + result.summary() + "."
        if result.stopped is not None:
            status = f"Stopped: {one_line(result.stopped.message)} {one_line(result.stopped.hint)}".strip()
        self.progress(status)
        self.set_keys_text(Text(f"{'/'.join(keys_for(self, 'export.close'))} close"))

    def _close_key(self) -> str:
        # escape unless rebound (enter must not cancel an export by accident).
        keys = keys_for(self, "export.close")
        return "esc" if "esc" in keys else keys[-1]
