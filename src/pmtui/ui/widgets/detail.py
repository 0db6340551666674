"""The selected item of a list, table or tree, in full: a panel of a fixed
number of lines under it that wraps the item's text (tables and trees cut
theirs with "…" to keep one row per item).

Its height is fixed (CSS), so showing another item repaints these lines
only; a Static's update would lay the whole screen out again, ~40 ms beside
a 10,000-row table. Text longer than the panel ends in "…" and the view key
the pane names (`more`) shows all of it (screens.view.ViewScreen). Text is
shown as given: callers pass rich Text built from plain strings (never
markup), control characters already made visible.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class DetailPanel(Widget):
    DEFAULT_CSS = """
    DetailPanel { height: 2; padding: 0 1; background: $boost; }
    DetailPanel > .detail-panel--more { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail-panel--more"}

    def __init__(self, *, more: str = "", id: str | None = None, classes: str | None = None) -> None:
        """`more`: what to say when the text does not fit (e.g. "v shows all")."""
        super().__init__(id=id, classes=classes)
        self.more = more
        self._text = Text()
        self._lines: list[Strip] | None = None

    @property
    def text(self) -> Text:
        return self._text

    def show(self, text: Text | str) -> None:
        new = text if isinstance(text, Text) else Text(text)
        if new == self._text and self._lines is not None:
            return
        self._text = new
        self._lines = None
        self.refresh()

    def plain(self) -> str:
        """The lines as drawn, for tests and the screen readers of tmux tests."""
        return "\n".join(strip.text.rstrip() for strip in self._layout())

    def on_resize(self) -> None:
        self._lines = None

    def _layout(self) -> list[Strip]:
        if self._lines is not None:
            return self._lines
        width = self.content_region.width
        height = self.content_region.height
        base = self.rich_style
        if width <= 0 or height <= 0:
            self._lines = []
            return self._lines
        console = self.app.console
        options = console.options.update(width=width, height=None, no_wrap=False, overflow="fold")
        lines = console.render_lines(self._text, options, style=base, pad=True)
        if len(lines) > height:
            lines = lines[:height]
            tail = Text(f"\u2026 {self.more}" if self.more else "\u2026")
            tail.stylize(self.get_component_rich_style("detail-panel--more", partial=True))
            last = Text().join(Text(seg.text, seg.style or Style()) for seg in lines[-1])
            keep = max(0, width - tail.cell_len - 1)
            last.truncate(keep)
            last.rstrip()
            last.append(" ")
            last.append_text(tail)
            lines[-1] = console.render_lines(last, options.update(no_wrap=True, overflow="crop"), style=base,
                                             pad=True)[0]
        self._lines = [Strip(line, width) for line in lines]
        return self._lines

    def render_line(self, y: int) -> Strip:
        # y is a line of the content region: Textual draws the padding.
        lines = self._layout()
        width = self.content_region.width
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(width, self.rich_style)
