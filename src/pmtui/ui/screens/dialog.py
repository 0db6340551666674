"""What every question pmtui asks looks like: a box as wide as the screen
allows (never shrunk to nothing), the question in words, the keys that
answer it — read from the screen's own bindings, so a keymap shows — and
the safe answer on enter and escape.

A dialog subclass declares one described, id'd binding per answer and
names the safe one in SAFE_ID; that binding's keys must include enter and
escape (tests/ui/test_dialogs.py checks every Dialog). `compose_body`
adds what the question needs to show (a diff, a list).

A dialog nobody asked for (`unasked=True`: the lock and recovery prompts,
shown as the file opens) takes no key typed before it appeared: the app
(keyorder) drops those, so a burst typed at the pane never answers a
question its typist has not read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from pmtui.ui.keys import bindings_of, keys_for

T = TypeVar("T")

SAFE_FIRST = ("enter", "esc")


class Dialog(ModalScreen[T]):
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    Dialog .dialog--title { text-style: bold; width: 1fr; height: auto; }
    Dialog #dialog-question { width: 1fr; height: auto; }
    Dialog #dialog-keys { width: 1fr; height: auto; color: $text-muted; margin-top: 1; }
    Dialog #dialog-keys.-wait { color: $warning; }
    """

    # The binding id of the answer that loses nothing; enter and escape run it.
    SAFE_ID: ClassVar[str]

    # Set on mount for a dialog shown unasked: keys typed before are dropped.
    takes_keys_since: float | None = None

    def __init__(self, question: str, *, title: str = "", unasked: bool = False,
                 labels: dict[str, str] | None = None) -> None:
        """`labels` names answers in this dialog's words ({binding id: label})."""
        super().__init__()
        self.question = question
        self.dialog_title = title
        self.unasked = unasked
        self.labels = labels or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            if self.dialog_title:
                yield Static(Text(self.dialog_title), classes="dialog--title")
            yield Static(Text(self.question), id="dialog-question")
            yield from self.compose_body()
            yield KeyLine(self.keys_text(), id="dialog-keys")

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def on_mount(self) -> None:
        if self.unasked:
            self.takes_keys_since = time.monotonic()

    # -- the key line ------------------------------------------------------------

    def answers(self) -> list[tuple[str, str]]:
        """(keys as a hint writes them, label) per answer, the safe one last."""
        out: list[tuple[str, str]] = []
        safe: tuple[str, str] | None = None
        for binding in bindings_of(type(self)):
            if not binding.id or not binding.show:
                continue
            keys = keys_for(self, binding.id)
            label = self.labels.get(binding.id, binding.description.lower())
            if binding.id == self.SAFE_ID:
                keys = sorted(keys, key=lambda k: SAFE_FIRST.index(k) if k in SAFE_FIRST else len(SAFE_FIRST))
                safe = ("/".join(keys), label)
            else:
                out.append(("/".join(keys), label))
        if safe is not None:
            out.append(safe)
        return out

    def keys_text(self) -> list[Text]:
        out = []
        for keys, label in self.answers():
            text = Text(keys, style="bold")
            text.append(f" {label}")
            out.append(text)
        return out

    def set_keys_text(self, text: Text | str) -> None:
        """Replace the key line (a dialog whose answers change as it runs)."""
        self.query_one("#dialog-keys", KeyLine).set_answers([text if isinstance(text, Text) else Text(text)])


class KeyLine(Widget):
    """A dialog's answers on one line, " · " between them; one a line when
    they do not fit, so no answer is ever broken across lines."""

    DEFAULT_CSS = "KeyLine { height: auto; }"

    def __init__(self, answers: list[Text], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.answers = answers

    def set_answers(self, answers: list[Text]) -> None:
        self.answers = answers
        self.refresh(layout=True)

    def text_at(self, width: int) -> Text:
        joined = Text(" \u00b7 ").join(self.answers)
        if joined.cell_len <= width or width <= 0:
            return joined
        return Text("\n").join(self.answers)

    def render(self) -> Text:
        return self.text_at(self.content_region.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        lines = self.text_at(width).wrap(self.app.console, max(1, width))
        return max(1, len(lines))
