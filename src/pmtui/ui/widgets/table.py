"""A virtual table on Textual's Line API.

Only the lines on screen are ever rendered, so 100,000 rows cost no more to
show or scroll than 50 (Textual's DataTable builds every row up front: ~2 s
at 10,000). Rendered lines are kept until the rows, columns, width or
styles change, so scrolling by a line renders one new line, and a cursor
move repaints only the two rows it touches. The table shows any sequence of row objects; the pane owning
it supplies the columns (how to read and style each cell), an optional
whole-row style, and its own key bindings. Cell text passes through
textsafe.one_line and goes into plain segments: never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from pmtui.textsafe import one_line
from pmtui.ui.messages import RowChosen, RowHighlighted


@dataclass
class Column:
    key: str
    label: str
    get: Callable[[Any], str]
    width: int = 0  # fixed width in cells; 0 = share what the fixed ones leave
    min_width: int = 8
    # Name of a component class (declared by the table subclass) to style
    # this cell with, or None for the row's style.
    style: Callable[[Any], str | None] | None = None


class KeptScrollBar(ScrollBar):
    """A scroll bar that keeps the last few drawings it made: an undo and
    its redo jump between two places, and each jump redrew the whole bar
    through Rich (1.2-1.4 ms at 40 lines, measured). A drawing is used
    again only when everything it was drawn from is the same."""

    KEPT = 8

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._drawn: dict[tuple, list[Strip]] = {}

    def _drawn_from(self, crop: Region) -> tuple:
        parent = self.parent
        styles = parent.styles if isinstance(parent, Widget) else None
        colours = () if styles is None else (
            styles.scrollbar_background, styles.scrollbar_color, styles.scrollbar_background_hover,
            styles.scrollbar_color_hover, styles.scrollbar_background_active, styles.scrollbar_color_active,
            parent.background_colors if isinstance(parent, Widget) else None)
        return (self.window_virtual_size, self.window_size, self.position, self.thickness, self.mouse_over,
                self.grabbed is not None, self.size, crop, colours, self.background_colors,
                self.screen.styles.scrollbar_color.a, tuple(map(id, self.get_line_filters())), self.app.theme,
                id(self.app.ansi_theme))

    def render_lines(self, crop: Region) -> list[Strip]:
        key = self._drawn_from(crop)
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = super().render_lines(crop)
            if len(self._drawn) >= self.KEPT:
                self._drawn.pop(next(iter(self._drawn)))
            self._drawn[key] = drawn
        return list(drawn)


class VirtualTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--empty",
    }

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; overflow-y: auto; background: $surface; }
    VirtualTable > .virtual-table--header { text-style: bold; color: $text-primary; background: $panel; }
    VirtualTable > .virtual-table--cursor { background: $panel-lighten-1; }
    VirtualTable:focus > .virtual-table--cursor { background: $primary 40%; text-style: bold; }
    VirtualTable > .virtual-table--empty { color: $text-muted; text-style: italic; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.pagedown"),
        Binding("home,g", "first", "First row", show=False, id="table.first"),
        Binding("end,G", "last", "Last row", show=False, id="table.last"),
    ]

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        row_style: Callable[[Any], str | None] | None = None,
        row_version: Callable[[Any], Hashable] | None = None,
        empty_text: str = "No rows.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns = list(columns)
        self._rows: Sequence[Any] = ()
        self.cursor_row = 0
        self.row_style = row_style
        # What a row's line is drawn from (every field any column or the
        # row style reads), cheaper to compare than the cells' texts: a
        # line drawn before is reused while it is equal. None: the cells'
        # texts and style names themselves.
        self.row_version = row_version
        self.empty_text = empty_text
        self._widths: tuple[int, list[int]] | None = None
        # id(row) -> (what the line shows, the line, the line as Textual's
        # styles cache finished it or None): a row drawn before is drawn
        # again only when its cells, styles or cursor changed, so a change
        # that moves every row down by one (an insert), or an undo that
        # jumps back to rows seen before, draws only the rows it touched.
        # Valid while _lines_key (the styles, width and columns the lines
        # were drawn with) holds; the finished lines while _final_key does.
        self._lines: dict[int, tuple[tuple, Strip, Strip | None]] = {}
        self._lines_key: tuple | None = None
        self._final_key: tuple | None = None
        self._pass_shown: dict[int, tuple[Any, tuple]] = {}
        self._pass_width = 0
        self._pass_styles: dict[tuple[str, bool], Style] = {}
        self._pass_base: Style | None = None

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Widget.vertical_scrollbar with a KeptScrollBar (textual is pinned).
        if self._vertical_scrollbar is not None:
            return self._vertical_scrollbar
        self._vertical_scrollbar = bar = KeptScrollBar(
            vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
        bar.display = False
        self.app._start_widget(self, bar)
        return bar

    # -- data ----------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self._columns = list(columns)
        self._widths = None
        self._lines.clear()
        self.refresh()

    def set_rows(self, rows: Sequence[Any], *, cursor: int | None = None) -> None:
        """Show `rows` (kept by reference: the caller owns the sequence)."""
        self._rows = rows
        size = Size(self._content_width(), len(rows) + 1)
        if size != self.virtual_size:
            self._set_virtual_size(size)
        target = self.cursor_row if cursor is None else cursor
        self.cursor_row = max(0, min(target, len(rows) - 1))
        self.refresh()
        if self.is_mounted and self.size.height > 0:
            # Scrolled now, so the change shows in one frame (scrolling after
            # the refresh drew every line twice: an undo cost two frames).
            self.scroll_to_cursor()
        else:
            self.call_after_refresh(self.scroll_to_cursor)

    def _set_virtual_size(self, size: Size) -> None:
        """A new number of rows. Assigning virtual_size re-lays out the whole
        screen (~40 ms at 10,000 rows); when the scrollbar stays as it is
        (shown before and after, or hidden before and after), only the
        scrollbar needs to hear of it (textual is pinned: _scroll_update)."""
        height = self.scrollable_content_region.height
        if not self.is_mounted or (self.virtual_size.height > height) != (size.height > height):
            self.virtual_size = size
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    @property
    def cursor_value(self) -> Any | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row]
        return None

    # -- cursor --------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(index, len(self._rows) - 1))
        old = self.cursor_row
        self.cursor_row = index
        if old != index:
            self._refresh_row(old)
            self._refresh_row(index)
            self.post_message(RowHighlighted(self, index))
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        y = index - round(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def key_enter(self) -> None:
        if self._rows:
            self.post_message(RowChosen(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and offset.y >= 1:
            self.move_cursor(round(self.scroll_y) + offset.y - 1)

    # -- rendering -------------------------------------------------------------

    def _content_width(self) -> int:
        return self._pass_width or max(1, self.scrollable_content_region.width)

    def on_resize(self) -> None:
        self._widths = None
        self._lines.clear()
        self.virtual_size = Size(self._content_width(), len(self._rows) + 1)

    def column_widths(self) -> list[int]:
        width = self._content_width()
        if self._widths is not None and self._widths[0] == width:
            return self._widths[1]
        gaps = max(0, len(self._columns) - 1)
        fixed = sum(c.width for c in self._columns if c.width)
        flexible = [c for c in self._columns if not c.width]
        room = width - fixed - gaps
        widths: list[int] = []
        share, extra = divmod(max(0, room), len(flexible)) if flexible else (0, 0)
        for column in self._columns:
            if column.width:
                widths.append(column.width)
            else:
                w = share + (1 if extra > 0 else 0)
                extra -= 1
                widths.append(max(column.min_width, w))
        self._widths = (width, widths)
        return widths

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles and the width are looked up once per paint, not once per line.
        self._pass_styles = {}
        self._pass_base = None
        self._pass_width = max(1, self.scrollable_content_region.width)
        try:
            cache = self._styles_cache
            # Styles are looked up only when a line of rows is to be drawn
            # (a table just removed is painted at no size, without them).
            drawn = cache._cache
            due = any(y in cache._dirty_lines or y not in drawn for y in crop.line_range)
            final = self.size.height > 1 and due and self._final_lines_usable()
            if final:
                self._reuse_finished(crop)
            lines = super().render_lines(crop)
            if final:
                self._keep_finished(cache._cache)
            return lines
        finally:
            self._pass_width = 0
            self._pass_shown = {}

    def _final_lines_usable(self) -> bool:
        """Whether a finished line depends on nothing but its content line
        and _final_key: no border, outline, padding or hatch (which depend
        on the line's place), so a row's finished line can be used at any y."""
        styles = self.styles
        if self.BLANK or any(styles.gutter) or any(edge for edge, _ in styles.outline) or (
                styles.has_rule("hatch") and styles.hatch != "none"):
            self._final_key = None
            return False
        self._check_lines_key()
        key = (self._lines_key, self.background_colors, self.opacity, styles.tint, self.size.width,
               id(self.app.ansi_theme), self.app.native_ansi_color)
        if key != self._final_key:
            self._final_key = key
            for row_id, (shown, line, _) in list(self._lines.items()):
                self._lines[row_id] = (shown, line, None)
        return True

    def _reuse_finished(self, crop: Region) -> None:
        """Hand Textual's styles cache the finished lines of rows drawn
        before, so a jump to rows seen before (an undo, a redo) skips its
        per-line work too (0.6 ms a screen of 33 rows, measured; textual is
        pinned: StylesCache._cache and _dirty_lines)."""
        cache = self._styles_cache
        if self.size.width != cache._width:
            return  # the styles cache starts over at a new width
        top = round(self.scroll_y) - 1
        dirty = cache._dirty_lines
        for y in crop.line_range:
            index = top + y
            if y < 1 or not 0 <= index < len(self._rows) or (y in cache._cache and y not in dirty):
                continue
            row = self._rows[index]
            shown = self._shown(row, index == self.cursor_row)
            self._pass_shown[y] = (row, shown)
            kept = self._lines.get(id(row))
            if kept is not None and kept[2] is not None and kept[0] == shown:
                cache._cache[y] = kept[2]
                dirty.discard(y)
                del self._pass_shown[y]

    def _keep_finished(self, finished: dict[int, Strip]) -> None:
        for y, (row, shown) in self._pass_shown.items():
            kept = self._lines.get(id(row))
            line = finished.get(y)
            if kept is not None and line is not None and kept[0] == shown:
                self._lines[id(row)] = (shown, kept[1], line)

    def _check_lines_key(self) -> None:
        # The theme too: a cell's own style (a kind's colour, blame) may
        # change with it while the row's and the cursor's do not.
        key = (self._base(), self._style("virtual-table--cursor"), self._content_width(),
               tuple(c.key for c in self._columns), self.app.theme)
        if key != self._lines_key:
            self._lines.clear()
            self._lines_key = key

    def _shown(self, row: Any, cursor: bool) -> tuple:
        if self.row_version is not None:
            return (cursor, self.row_version(row))
        return (cursor, self.row_style(row) if self.row_style is not None else None,
                *(c.get(row) for c in self._columns),
                *(c.style(row) for c in self._columns if c.style is not None))

    def _style(self, name: str, partial: bool = False) -> Style:
        key = (name, partial)
        style = self._pass_styles.get(key)
        if style is None:
            style = self._pass_styles[key] = self.get_component_rich_style(name, partial=partial)
        return style

    def _base(self) -> Style:
        if self._pass_base is None:
            self._pass_base = self.rich_style
        return self._pass_base

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        base = self._base()
        if y == 0:
            style = base + self._style("virtual-table--header")
            return self._strip([c.label for c in self._columns], [style] * len(self._columns), style, width)
        index = round(self.scroll_y) + y - 1
        if not self._rows:
            if y == 1:
                style = base + self._style("virtual-table--empty")
                return Strip([Segment(set_cell_size(one_line(self.empty_text), width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        cursor = index == self.cursor_row
        self._check_lines_key()
        row = self._rows[index]
        known = self._pass_shown.get(y)
        shown = known[1] if known is not None and known[0] is row else self._shown(row, cursor)
        cached = self._lines.get(id(row))
        if cached is not None and cached[0] == shown:
            return cached[1]
        if len(self._lines) > 4 * max(self.size.height, 10):
            self._lines.clear()  # scrolled far: keep the cache to about a screen
        line = self._render_row(row, cursor, base, width)
        self._lines[id(row)] = (shown, line, None)
        return line

    def _render_row(self, row: Any, cursor: bool, base: Style, width: int) -> Strip:
        row_style = base
        if self.row_style is not None:
            name = self.row_style(row)
            if name:
                row_style = row_style + self._style(name)
        if cursor:
            row_style = row_style + self._style("virtual-table--cursor")
        cells: list[str] = []
        styles: list[Style] = []
        for column in self._columns:
            cells.append(column.get(row))
            style = row_style
            if column.style is not None:
                name = column.style(row)
                if name:
                    # Partial: the cell's colour over the row's (and cursor's) background.
                    style = row_style + self._style(name, partial=True)
            styles.append(style)
        return self._strip(cells, styles, row_style, width)

    def _cell_segments(self, text: str, style: Style, column: Column) -> list[Segment]:
        """One cell, already fitted to its width; subclasses mark parts of it."""
        return [Segment(text, style)]

    def _strip(self, cells: list[str], styles: list[Style], fill: Style, width: int) -> Strip:
        segments: list[Segment] = []
        used = 0
        for i, (text, w) in enumerate(zip(cells, self.column_widths(), strict=True)):
            if i:
                segments.append(Segment(" ", fill))
                used += 1
            text = one_line(text)
            if cell_len(text) > w:
                text = set_cell_size(text, max(0, w - 1)) + "\u2026" if w > 0 else ""
            else:
                text = set_cell_size(text, w)
            segments.extend(self._cell_segments(text, styles[i], self._columns[i]))
            used += w
        if used < width:
            segments.append(Segment(" " * (width - used), fill))
        return Strip(segments, max(width, used)).crop(0, width)
