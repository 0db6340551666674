"""The shared virtual table with blame language marked inside its cells.

Spans are found on each visible cell as it is drawn, so marking costs
nothing for the rows off screen (a 10,000-event timeline).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from pmtui.ui.widgets.blametext import spans
from pmtui.ui.widgets.table import Column, VirtualTable


class BlameTable(VirtualTable):
    COMPONENT_CLASSES = VirtualTable.COMPONENT_CLASSES | {"blame-table--blame"}

    DEFAULT_CSS = """
    BlameTable > .blame-table--blame { background: $error 30%; text-style: underline; }
    """

    _blame = Style()
    # Keys of the columns holding prose; None marks every column.
    blame_columns: frozenset[str] | None = None

    def _strip(self, cells: list[str], styles: list[Style], fill: Style, width: int) -> Strip:
        self._blame = self._style("blame-table--blame", partial=True)  # once per paint
        return super()._strip(cells, styles, fill, width)

    def _cell_segments(self, text: str, style: Style, column: Column) -> list[Segment]:
        if self.blame_columns is not None and column.key not in self.blame_columns:
            return [Segment(text, style)]
        out: list[Segment] = []
        pos = 0
        for start, end in spans(text):
            if start > pos:
                out.append(Segment(text[pos:start], style))
            out.append(Segment(text[start:end], style + self._blame))
            pos = end
        out.append(Segment(text[pos:], style))
        return out
