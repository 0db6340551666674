"""Unsaved work found in the recovery journal: restore it, discard it, or
keep both (the recovered text written beside the file). Shows what differs
as a unified diff, always as plain text."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Static

from pmtui.filesafety.journal import Recovery
from pmtui.textsafe import one_line, printable

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


class RecoveryScreen(ModalScreen[str]):
    """Dismissed with RESTORE, DISCARD or KEEP_BOTH. Escape keeps both:
    the one answer that loses nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('restore')", "Restore", id="recovery.restore"),
        Binding("d", "choose('discard')", "Discard", id="recovery.discard"),
        Binding("k", "choose('keep')", "Keep both", id="recovery.keep"),
        Binding("escape", "choose('keep')", "Decide later (keep both)", id="recovery.later", show=False),
    ]

    DEFAULT_CSS = """
    RecoveryScreen { align: center middle; }
    RecoveryScreen > #dialog {
        width: 90%; height: 90%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    RecoveryScreen #heading { text-style: bold; }
    RecoveryScreen #changed-warning { color: $text-warning; }
    RecoveryScreen #diff-scroll { height: 1fr; border: round $primary; }
    RecoveryScreen #buttons { height: auto; align-horizontal: center; }
    RecoveryScreen Button { margin: 0 1; }
    """

    def __init__(self, recovery: Recovery) -> None:
        super().__init__()
        self.recovery = recovery

    def compose(self) -> ComposeResult:
        rec = self.recovery
        added, removed = rec.changed_lines()
        where = f" by pid {rec.pid} on {one_line(rec.host)}" if rec.host else ""
        with Vertical(id="dialog"):
            yield Static(Text(f"Unsaved changes found for {one_line(rec.path.name)}"), id="heading")
            yield Static(
                Text(
                    f"{one_line(str(rec.path))}\n"
                    f"Last recorded {one_line(rec.written)}{where}: "
                    f"{added} line(s) added, {removed} removed compared with the file."
                ),
                id="details",
            )
            if rec.file_changed_since:
                yield Static(
                    Text(
                        "The file has changed on disk since these edits began "
                        "(another editor or a git pull). Restoring replaces those "
                        "changes too; 'Keep both' is the safe choice."
                    ),
                    id="changed-warning",
                )
            with VerticalScroll(id="diff-scroll"):
                yield DiffView(rec.diff(), id="diff")
            with Horizontal(id="buttons"):
                yield Button("Restore", id=RESTORE, variant="primary")
                yield Button("Discard", id=DISCARD, variant="error")
                yield Button("Keep both", id=KEEP_BOTH)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
