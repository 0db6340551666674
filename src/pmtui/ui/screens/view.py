"""One item in full (a timeline event, a why, a gap, an action...): the
view key of every list, table and tree opens it. Plain text, scrolled with
the arrow and page keys; any of escape, enter, q or the view key closes it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.ui.keys import keys_for


class ViewScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ViewScreen { align: center middle; }
    ViewScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ViewScreen .view--title { text-style: bold; color: $primary; }
    ViewScreen VerticalScroll { height: auto; max-height: 1fr; }
    ViewScreen .view--keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q,v", "close", "Close", id="view.close"),
    ]

    def __init__(self, title: str, text: Text) -> None:
        super().__init__()
        self.view_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.view_title), classes="view--title")
            with VerticalScroll(id="view-scroll"):
                yield Static(self.text, id="view-text")
            keys = "/".join(keys_for(self, "view.close"))
            yield Static(Text(f"{keys} close · \u2191\u2193 pgup pgdn scroll"), classes="view--keys")

    def on_mount(self) -> None:
        self.query_one("#view-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
