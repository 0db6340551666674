"""Messages the UI posts and handles, named as events that already happened.

Only messages someone listens for live here: the virtual table's cursor
moved (the Actions pane redraws its detail line) and a row was chosen with
enter (the Timeline, Collect and Actions panes open or accept it). Edits do
not travel as messages: panes hear them from the session (`Pane.on_change`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget


@dataclass
class RowHighlighted(Message):
    """The virtual table's cursor moved to `index` (into the shown rows)."""

    table: Widget  # the VirtualTable (widgets.table imports this module)
    index: int


@dataclass
class RowChosen(Message):
    """Enter pressed on a row of the virtual table."""

    table: Widget  # the VirtualTable
    index: int
