"""Containers whose children are all as high as their content (a form's
sections, rows and cells), arranged once whatever height is offered.

Textual keys a container's arrangement on the size it is offered, height
included, and offers an auto-height container the height of the one
around it. So each time the Overview's form grew by a row, every row of
every section was arranged again (the form's height had changed, and with
it the height offered to all of them): 26-34 ms of a 45-57 ms frame at
100,000 events, 120x40. The height offered cannot change such an
arrangement (no child sized in fr or %, aligned to the top), so it is
dropped from the key and only the rows that changed are arranged again.
benchmarks/bench_timeline.py --only switch.
"""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.layout import DockArrangeResult


class AutoVertical(Vertical):
    """A Vertical of auto-height children (no fr or % heights in them)."""

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        return super().arrange(Size(size.width, 0), optimal)


class AutoHorizontal(Horizontal):
    """A Horizontal of auto-height children (no fr or % heights in them)."""

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        return super().arrange(Size(size.width, 0), optimal)
