"""Yes/no confirmation as a modal: y / enter confirm, n / escape refuse."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.ui.keys import key_for, keys_for


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True or False. The question is shown as plain text
    (it may quote a user's own words)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: auto; max-width: 70; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    ConfirmScreen .confirm--keys { color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "yes", no: str = "no") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), classes="confirm--question")
            yes, no = key_for(self, "confirm.yes"), "/".join(keys_for(self, "confirm.no"))
            yield Static(Text(f"{yes} {self.yes_label} · {no} {self.no_label}"), classes="confirm--keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class UnsavedScreen(ModalScreen[str]):
    """Unsaved changes: dismisses with "save", "discard" or "cancel"."""

    DEFAULT_CSS = """
    UnsavedScreen { align: center middle; }
    UnsavedScreen > Vertical {
        width: auto; max-width: 70; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    UnsavedScreen .confirm--keys { color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard"),
        Binding("c,escape", "answer('cancel')", "Cancel", id="unsaved.cancel"),
    ]

    def __init__(self, question: str = "There are unsaved changes.") -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), classes="confirm--question")
            save, discard = key_for(self, "unsaved.save"), key_for(self, "unsaved.discard")
            cancel = "/".join(keys_for(self, "unsaved.cancel"))
            yield Static(Text(f"{save} save and quit · {discard} discard and quit · {cancel} cancel"),
                         classes="confirm--keys")

    def action_answer(self, value: str) -> None:
        self.dismiss(value)
