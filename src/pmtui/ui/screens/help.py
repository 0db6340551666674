"""The `?` screen: every key, by pane, read from the panes' BINDINGS."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.ui.keys import bindings_of, key_for, key_text, keys_display


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%; max-width: 90; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .help--title { text-style: bold; color: $primary; }
    HelpScreen .help--foot { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, type]]) -> None:
        """`sections` pairs a heading with the class whose BINDINGS it lists."""
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Keys"), classes="help--title")
            with VerticalScroll():
                for heading, cls in self.sections:
                    yield Static(self._table(heading, cls), classes="help--section")
            close, palette = key_for(self, "help.close"), key_text(self.app.COMMAND_PALETTE_BINDING)
            yield Static(Text(f"{close} close · {palette} finds any command by name"), classes="help--foot")

    def _table(self, heading: str, cls: type) -> Table:
        table = Table(title=heading, title_justify="left", show_header=False, box=None, expand=True, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True, width=18)
        table.add_column("action", ratio=1)
        bindings = bindings_of(cls)
        if not bindings:
            table.add_row(Text("\u2013"), Text("no keys of its own yet"))
        for binding in bindings:
            table.add_row(Text(keys_display(binding, self.app)), Text(binding.description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
