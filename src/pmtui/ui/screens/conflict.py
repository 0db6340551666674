"""The file changed on disk since it was opened (another editor, a `git
pull`): never overwrite it silently. The user reloads (dropping their
unsaved edits — asked again before that happens), overwrites, saves under
another name, or looks at the diff first."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from pmtui.filesafety.journal import lines_of
from pmtui.textsafe import one_line
from pmtui.ui.screens.recovery import DiffView

RELOAD, OVERWRITE, SAVE_AS, CANCEL = "reload", "overwrite", "save_as", "cancel"


@dataclass(frozen=True)
class ConflictChoice:
    action: str  # RELOAD | OVERWRITE | SAVE_AS | CANCEL
    path: Path | None = None  # for SAVE_AS


def conflict_diff(path: Path, disk_text: str | None, ours: str) -> str:
    """From the file as it is on disk now to what saving would write."""
    before = lines_of(disk_text or "")
    after = lines_of(ours)
    lines = difflib.unified_diff(
        before,
        after,
        fromfile=f"{path.name} (on disk now)" if disk_text is not None else f"{path.name} (deleted)",
        tofile=f"{path.name} (your version)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


class ConflictScreen(ModalScreen[ConflictChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('reload')", "Reload from disk", id="conflict.reload"),
        Binding("o", "choose('overwrite')", "Overwrite", id="conflict.overwrite"),
        Binding("a", "save_as", "Save as…", id="conflict.save_as"),
        Binding("d", "toggle_diff", "Show diff", id="conflict.diff"),
        Binding("escape", "choose('cancel')", "Cancel", id="conflict.cancel"),
    ]

    DEFAULT_CSS = """
    ConflictScreen { align: center middle; }
    ConflictScreen > #dialog {
        width: 90%; height: auto; max-height: 90%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    ConflictScreen #heading { text-style: bold; }
    ConflictScreen #diff-scroll { height: 1fr; min-height: 5; border: round $primary; display: none; }
    ConflictScreen.-diff #diff-scroll { display: block; }
    ConflictScreen.-diff > #dialog { height: 90%; }
    ConflictScreen #save-as { display: none; }
    ConflictScreen.-save-as #save-as { display: block; }
    ConflictScreen #buttons { height: auto; align-horizontal: center; }
    ConflictScreen Button { margin: 0 1; }
    """

    def __init__(self, path: Path, disk_text: str | None, ours: str) -> None:
        super().__init__()
        self.path = Path(path)
        self.disk_text = disk_text
        self.ours = ours

    def compose(self) -> ComposeResult:
        gone = self.disk_text is None
        what = "was deleted" if gone else "changed on disk"
        with Vertical(id="dialog"):
            yield Static(Text(f"{one_line(self.path.name)} {what} since you opened it"), id="heading")
            yield Static(
                Text(
                    f"{one_line(str(self.path))}\n"
                    "Someone or something else wrote this file (another editor, a git pull). "
                    "Saving now would replace their version with yours."
                ),
                id="details",
            )
            with VerticalScroll(id="diff-scroll"):
                yield DiffView(conflict_diff(self.path, self.disk_text, self.ours), id="diff")
            yield Input(
                value=str(self.path.with_name(self.path.stem + ".mine" + (self.path.suffix or ".toml"))),
                placeholder="Save your version as…",
                id="save-as",
            )
            with Horizontal(id="buttons"):
                yield Button("Reload", id=RELOAD)
                yield Button("Overwrite", id=OVERWRITE, variant="error")
                yield Button("Save as…", id=SAVE_AS, variant="primary")
                yield Button("Show diff", id="diff-button")
                yield Button("Cancel", id=CANCEL)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "diff-button":
            self.action_toggle_diff()
        elif event.button.id == SAVE_AS:
            self.action_save_as()
        else:
            self.action_choose(event.button.id or CANCEL)

    def action_toggle_diff(self) -> None:
        self.toggle_class("-diff")

    def action_save_as(self) -> None:
        if not self.has_class("-save-as"):
            self.add_class("-save-as")
            self.query_one("#save-as", Input).focus()
            return
        self._submit_save_as()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_save_as()

    def _submit_save_as(self) -> None:
        raw = self.query_one("#save-as", Input).value.strip()
        if not raw:
            self.notify("Type the path to save your version to.", severity="warning", markup=False)
            return
        target = Path(raw).expanduser()
        if not target.is_absolute():
            target = self.path.parent / target
        if target.exists():
            self.notify(
                f"{one_line(str(target))} already exists; choose another name.", severity="warning", markup=False
            )
            return
        self.dismiss(ConflictChoice(SAVE_AS, target))

    def action_choose(self, action: str) -> None:
        self.dismiss(ConflictChoice(action))
