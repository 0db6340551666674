"""The file changed on disk since it was opened (another editor, a `git
pull`): never overwrite it silently. The user reloads (dropping their
unsaved edits — asked again before that happens), overwrites, saves under
another name, or looks at the diff first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input

from pmtui.filesafety.journal import lines_of
from pmtui.textsafe import one_line
from pmtui.ui.screens.dialog import Dialog
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


class ConflictScreen(Dialog[ConflictChoice]):
    SAFE_ID = "conflict.cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "save_as", "Save yours as…", id="conflict.save_as"),
        Binding("r", "choose('reload')", "Reload theirs", id="conflict.reload"),
        Binding("o", "choose('overwrite')", "Overwrite theirs", id="conflict.overwrite"),
        Binding("d", "toggle_diff", "Show diff", id="conflict.diff"),
        Binding("escape,enter", "choose('cancel')", "Cancel (keep editing, file untouched)", id="conflict.cancel"),
    ]

    DEFAULT_CSS = """
    ConflictScreen > #dialog { width: 100%; max-height: 100%; border: thick $error; padding: 0 1; }
    ConflictScreen #diff-scroll { height: 1fr; min-height: 3; border: round $primary; display: none; }
    ConflictScreen.-diff #diff-scroll { display: block; }
    ConflictScreen.-diff > #dialog { height: 100%; }
    ConflictScreen #save-as { display: none; }
    ConflictScreen.-save-as #save-as { display: block; }
    """

    def __init__(self, path: Path, disk_text: str | None, ours: str) -> None:
        self.path = Path(path)
        self.disk_text = disk_text
        self.ours = ours
        what = "was deleted" if disk_text is None else "changed on disk"
        super().__init__(
            f"{one_line(str(self.path))}\n"
            "Someone or something else wrote this file (another editor, a git pull). "
            "Saving now would replace their version with yours.",
            title=f"{one_line(self.path.name)} {what} since you opened it",
        )

    def compose_body(self) -> Iterable[Widget]:
        yield VerticalScroll(DiffView(conflict_diff(self.path, self.disk_text, self.ours), id="diff"),
                             id="diff-scroll")
        yield Input(
            value=str(self.path.with_name(self.path.stem + ".mine" + (self.path.suffix or ".toml"))),
            placeholder="Save your version as…",
            id="save-as",
        )

    def action_toggle_diff(self) -> None:
        self.toggle_class("-diff")

    def action_save_as(self) -> None:
        if not self.has_class("-save-as"):
            self.add_class("-save-as")
            self.query_one("#save-as", Input).focus()
            self.set_keys_text(Text("enter save your version there · esc cancel"))
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
