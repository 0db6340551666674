"""Messages the UI posts, named as events that already happened."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass
class DocumentSaved(Message):
    path: Path


@dataclass
class PaneShown(Message):
    name: str


@dataclass
class ThemeChosen(Message):
    name: str


@dataclass
class RowHighlighted(Message):
    """The virtual table's cursor moved to `index` (into the shown rows)."""

    table: object
    index: int


@dataclass
class RowChosen(Message):
    """Enter pressed on a row of the virtual table."""

    table: object
    index: int
