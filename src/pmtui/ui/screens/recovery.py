"""Unsaved work found in the recovery journal: restore it, discard it, or
keep both (the recovered text written beside the file). Shows what differs
as a unified diff, always as plain text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from pmtui.filesafety.journal import Recovery
from pmtui.textsafe import one_line, printable
from pmtui.ui.screens.dialog import Dialog

RESTORE, DISCARD, KEEP_BOTH = "restore", "discard", "keep"


class DiffView(Widget):
    """A unified diff, line by line, file text shown verbatim but made
    safe: markup never interpreted, control characters visible."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"diff--added", "diff--removed", "diff--header", "diff--hunk"}
    DEFAULT_CSS = """
    DiffView { height: auto; }
    DiffView > .diff--added { color: $text-success; }
    DiffView > .diff--removed { color: $text-error; }
    DiffView > .diff--header { text-style: bold; }
    DiffView > .diff--hunk { color: $text-accent; }
    """

    def __init__(self, diff: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.diff = diff

    def render(self) -> Text:
        text = Text(no_wrap=False, end="")
        if not self.diff:
            return Text("(no differences)")
        for line in self.diff.rstrip("\n").split("\n"):
            if line.startswith(("+++", "---")):
                style = self.get_component_rich_style("diff--header")
            elif line.startswith("@@"):
                style = self.get_component_rich_style("diff--hunk")
            elif line.startswith("+"):
                style = self.get_component_rich_style("diff--added")
            elif line.startswith("-"):
                style = self.get_component_rich_style("diff--removed")
            else:
                style = None
            text.append(printable(line) + "\n", style=style)
        return text


class RecoveryScreen(Dialog[str]):
    """Dismissed with RESTORE, DISCARD or KEEP_BOTH. Escape and enter keep
    both: the one answer that loses nothing."""

    SAFE_ID = "recovery.keep"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('restore')", "Restore them", id="recovery.restore"),
        Binding("d", "choose('discard')", "Discard them", id="recovery.discard"),
        Binding("k,escape,enter", "choose('keep')", "Keep both (write them beside the file)", id="recovery.keep"),
    ]

    DEFAULT_CSS = """
    RecoveryScreen > #dialog { width: 100%; height: 100%; border: thick $warning; padding: 0 1; }
    RecoveryScreen #changed-warning { color: $text-warning; }
    RecoveryScreen #diff-scroll { height: 1fr; min-height: 3; border: round $primary; }
    """

    def __init__(self, recovery: Recovery) -> None:
        rec = recovery
        added, removed = rec.changed_lines()
        where = f" by pid {rec.pid} on {one_line(rec.host)}" if rec.host else ""
        super().__init__(
            f"{one_line(str(rec.path))}\n"
            f"Last recorded {one_line(rec.written)}{where}: "
            f"{added} line(s) added, {removed} removed compared with the file. Restore them?",
            title=f"Unsaved changes found for {one_line(rec.path.name)}",
            unasked=True,
        )
        self.recovery = recovery

    def compose_body(self) -> Iterable[Widget]:
        if self.recovery.file_changed_since:
            yield Static(
                Text(
                    "The file has changed on disk since these edits began "
                    "(another editor or a git pull). Restoring replaces those "
                    "changes too; 'Keep both' is the safe choice."
                ),
                id="changed-warning",
            )
        yield VerticalScroll(DiffView(self.recovery.diff(), id="diff"), id="diff-scroll")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
