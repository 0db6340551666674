"""The `?` screen: the keys that mean the same everywhere, then every key
by pane, read from the panes' BINDINGS (keymap applied), each with the id
a `[keys]` table in the config file rebinds it by."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui import locations
from pmtui.textsafe import one_line
from pmtui.ui.keys import bindings_of, key_for, key_text, keys_display
from pmtui.ui.vocabulary import VOCABULARY


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100; max-width: 100%; height: 100%;
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
            with VerticalScroll(id="help-scroll"):
                yield Static(self._vocabulary(), classes="help--section")
                for heading, cls in self.sections:
                    yield Static(self._table(heading, cls), classes="help--section")
            close, palette = key_for(self, "help.close"), key_text(self.app.COMMAND_PALETTE_BINDING)
            config = one_line(str(locations.config_file()))
            yield Static(Text(f"{close} close \u00b7 {palette} finds any command by name \u00b7 rebind in {config}, "
                              '[keys] "id" = "key"'), classes="help--foot")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def _new_table(self, heading: str) -> Table:
        table = Table(title=heading, title_justify="left", title_style="bold", show_header=False, box=None,
                      expand=True, padding=(0, 1))
        table.add_column("key", style="bold", no_wrap=True, width=14)
        table.add_column("action", ratio=1)
        return table

    def _vocabulary(self) -> Table:
        table = self._new_table("Same key, same meaning in every pane")
        for meaning in VOCABULARY:
            table.add_row(Text(meaning.shown), Text(meaning.meaning))
        return table

    def _table(self, heading: str, cls: type) -> Table:
        table = self._new_table(heading)
        table.add_column("id", style="dim", no_wrap=True, width=26)
        bindings = bindings_of(cls)
        if not bindings:
            table.add_row(Text("\u2013"), Text("no keys of its own yet"), Text(""))
        for binding in bindings:
            table.add_row(Text(keys_display(binding, self.app)), Text(binding.description), Text(binding.id or ""))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
