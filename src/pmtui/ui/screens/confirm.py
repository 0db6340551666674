"""Yes/no and save/discard/cancel questions (screens.dialog.Dialog): the
safe answer — no, cancel — is on enter and escape."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from pmtui.ui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Dismisses with True (y) or False (n, escape, enter). The question is
    shown as plain text (it may quote a user's own words)."""

    SAFE_ID = "confirm.no"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,enter", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "yes", no: str = "no", title: str = "",
                 unasked: bool = False) -> None:
        super().__init__(question, title=title, unasked=unasked, labels={"confirm.yes": yes, "confirm.no": no})

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class UnsavedScreen(Dialog[str]):
    """Unsaved changes: dismisses with "save", "discard" or "cancel"
    (escape, enter: back to editing)."""

    DEFAULT_CSS = "UnsavedScreen > #dialog { border: thick $warning; }"
    SAFE_ID = "unsaved.cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save and quit", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard changes and quit", id="unsaved.discard"),
        Binding("c,escape,enter", "answer('cancel')", "Keep editing", id="unsaved.cancel"),
    ]

    def __init__(self, question: str = "There are unsaved changes. Save them before quitting?") -> None:
        super().__init__(question, title="Quit pmtui")

    def action_answer(self, value: str) -> None:
        self.dismiss(value)
