"""The table's line caches never show a stale line.

VirtualTable keeps each row's line (and the line as Textual's styles cache
finished it) by the row's identity and what it is drawn from; a jump back to
rows seen before (an undo, a redo) reuses them. Whatever the sequence of
edits in place, reorders, cursor jumps, filters, theme changes, focus
changes and resizes, the lines on screen must be the ones a table without
any cache draws: each check clears every cache and draws the table again.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Input

from pmtui.ui.widgets.blametable import BlameTable
from pmtui.ui.widgets.table import Column


@dataclass(eq=False)
class Row:
    text: str
    kind: str
    key: bool = False


class KindTable(BlameTable):
    COMPONENT_CLASSES = BlameTable.COMPONENT_CLASSES | {"kind-table--alert", "kind-table--key"}
    DEFAULT_CSS = """
    KindTable > .kind-table--alert { color: $error; }
    KindTable > .kind-table--key { background: $warning 20%; }
    """


def columns() -> list[Column]:
    return [
        Column("key", "*", lambda r: "*" if r.key else "", width=1),
        Column("text", "Text", lambda r: r.text, min_width=10),
        Column("kind", "Kind", lambda r: r.kind, width=8,
               style=lambda r: "kind-table--alert" if r.kind == "alert" else None),
    ]


class TableApp(App[None]):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Input(id="elsewhere")
        yield KindTable(columns(), row_style=lambda r: "kind-table--key" if r.key else None,
                        row_version=attrgetter("text", "kind", "key"), id="table")


def painted(table: KindTable) -> list[list[tuple[str, object]]]:
    """The lines the screen shows now: the styles cache holds each line as
    it was last handed to the compositor."""
    cache = table._styles_cache
    return [[(seg.text, seg.style) for seg in cache._cache[y]] for y in range(table.size.height)]


def drawn_afresh(table: KindTable) -> list[list[tuple[str, object]]]:
    table._lines.clear()
    table._final_key = None
    table._lines_key = None
    table._styles_cache.clear()
    strips = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


def bar_fresh(table: KindTable) -> tuple[list, list]:
    """The scroll bar's lines as kept, and as drawn without any cache."""
    bar = table.vertical_scrollbar
    crop = Region(0, 0, bar.size.width, bar.size.height)
    kept = [[(seg.text, seg.style) for seg in strip] for strip in bar.render_lines(crop)]
    bar._drawn.clear()
    bar._styles_cache.clear()
    bar._render_content()
    fresh = [[(seg.text, seg.style) for seg in strip] for strip in bar.render_lines(crop)]
    return kept, fresh


WORDS = ["the deploy", "rolled back", "alert fires", "blame: you", "carelessly", "pod api-1", "ok"]

ops = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 199), st.sampled_from(WORDS)),  # text in place, same identity
        st.tuples(st.just("kind"), st.integers(0, 199), st.sampled_from(["alert", "action", "other"])),
        st.tuples(st.just("key"), st.integers(0, 199)),
        st.tuples(st.just("move"), st.integers(0, 199), st.integers(0, 199)),  # a re-sort
        st.tuples(st.just("jump"), st.integers(0, 199)),  # the cursor far away (an undo)
        st.tuples(st.just("filter"), st.sampled_from([*WORDS, ""])),
        st.tuples(st.just("delete"), st.integers(0, 199)),
        st.tuples(st.just("insert"), st.integers(0, 199), st.sampled_from(WORDS)),
        st.tuples(st.just("theme"), st.sampled_from(["textual-dark", "textual-light", "nord"])),
        st.tuples(st.just("focus"), st.booleans()),
        st.tuples(st.just("resize"), st.sampled_from([(80, 24), (120, 40), (60, 15)])),
    ),
    min_size=1,
    max_size=12,
)


async def apply(app: TableApp, table: KindTable, pilot, op: tuple) -> None:
    rows = app.rows
    name = op[0]
    view = rows
    if name == "edit" and rows:
        rows[op[1] % len(rows)].text = op[2]
    elif name == "kind" and rows:
        rows[op[1] % len(rows)].kind = op[2]
    elif name == "key" and rows:
        row = rows[op[1] % len(rows)]
        row.key = not row.key
    elif name == "move" and rows:
        rows.insert(op[2] % len(rows), rows.pop(op[1] % len(rows)))
    elif name == "delete" and rows:
        del rows[op[1] % len(rows)]
    elif name == "insert":
        rows.insert(op[1] % (len(rows) + 1), Row(op[2], "other"))
    elif name == "jump" and rows:
        table.move_cursor(op[1] % len(rows))
        return
    elif name == "filter":
        view = [r for r in rows if op[1] in r.text]
    elif name == "theme":
        app.theme = op[1]
    elif name == "focus":
        (table if op[1] else app.query_one("#elsewhere")).focus()
    elif name == "resize":
        await pilot.resize_terminal(*op[1])
    table.set_rows(view)


async def shown(app: TableApp, pilot) -> KindTable:
    """The app's table showing its rows, focused, after a frame."""
    table = app.query_one(KindTable)
    table.set_rows(app.rows)
    table.focus()
    await pilot.pause()
    return table


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
async def test_what_is_painted_is_what_a_table_without_caches_draws(sequence):
    rows = [Row(f"{WORDS[i % len(WORDS)]} {i}", ["alert", "action", "other"][i % 3], key=i % 7 == 0)
            for i in range(200)]
    app = TableApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await shown(app, pilot)
        table.move_cursor(150)  # seen once, so a jump back finds cached lines
        await pilot.pause()
        table.move_cursor(3)
        await pilot.pause()
        for op in sequence:
            await apply(app, table, pilot, op)
            await pilot.pause()
            assert painted(table) == drawn_afresh(table), op
            kept, fresh = bar_fresh(table)
            assert kept == fresh, op


async def test_a_jump_back_reuses_the_finished_lines_and_shows_the_change():
    """An undo's jump back to rows seen before takes their finished lines
    from the cache, except the row that changed, which shows its new text."""
    rows = [Row(f"row {i}", "other") for i in range(500)]
    app = TableApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await shown(app, pilot)
        table.move_cursor(400)
        await pilot.pause()
        rows[2].text = "changed in place"
        table.set_rows(rows, cursor=1)
        await pilot.pause()
        kept = sum(1 for entry in table._lines.values() if entry[2] is not None)
        assert kept >= table.size.height - 2  # the screen seen before came from the cache
        y = 2 - round(table.scroll_y) + 1  # the header, then the rows from the top one
        text = "".join(seg.text for seg in table._styles_cache._cache[y])
        assert "changed in place" in text
        assert painted(table) == drawn_afresh(table)


async def test_the_scroll_bar_drawn_before_is_used_again_only_where_it_was():
    rows = [Row(f"row {i}", "other") for i in range(2000)]
    app = TableApp(rows)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await shown(app, pilot)
        bar = table.vertical_scrollbar
        assert bar.display
        seen: dict[int, list] = {}
        for target in (1500, 3, 1500, 3, 1500, 900, 1999, 3):
            table.move_cursor(target)
            await pilot.pause()
            kept, fresh = bar_fresh(table)
            assert kept == fresh
            if target in (1500, 3):  # an undo and its redo: the same two places each time
                assert seen.setdefault(target, kept) == kept
            table.move_cursor(target)  # bar_fresh emptied the cache: the drawing kept again
            bar.render_lines(Region(0, 0, bar.size.width, bar.size.height))
        assert seen[3] != seen[1500]  # the thumb moved
        assert len(bar._drawn) <= bar.KEPT
