"""The shared virtual table with blame language marked inside its cells.

Spans are found on each visible cell as it is drawn, so marking costs
nothing for the rows off screen (the report's 10,000-event timeline).
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...textsafe import one_line
from .blametext import spans
from .table import VirtualTable


class BlameTable(VirtualTable):
    COMPONENT_CLASSES = VirtualTable.COMPONENT_CLASSES | {"blame-table--blame"}

    DEFAULT_CSS = """
    BlameTable > .blame-table--blame { background: $error 30%; text-style: underline; }
    """

    def _strip(self, cells: list[str], styles: list[Style], fill: Style, width: int) -> Strip:
        blame = self.get_component_rich_style("blame-table--blame", partial=True)
        segments: list[Segment] = []
        used = 0
        for i, (text, w) in enumerate(zip(cells, self.column_widths())):
            if i:
                segments.append(Segment(" ", fill))
                used += 1
            text = one_line(text)
            if cell_len(text) > w:
                text = set_cell_size(text, max(0, w - 1)) + "\u2026" if w > 0 else ""
            else:
                text = set_cell_size(text, w)
            pos = 0
            for start, end in spans(text):
                if start > pos:
                    segments.append(Segment(text[pos:start], styles[i]))
                segments.append(Segment(text[start:end], styles[i] + blame))
                pos = end
            segments.append(Segment(text[pos:], styles[i]))
            used += w
        if used < width:
            segments.append(Segment(" " * (width - used), fill))
        return Strip(segments, max(width, used)).crop(0, width)
