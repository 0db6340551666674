"""AutoVertical and AutoHorizontal: arranged as Vertical and Horizontal
are, once for any height offered (the Overview's form, where a plain
container was arranged again every time the form grew by a row)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.widgets import Label, Static

from pmtui.ui.widgets.autobox import AutoHorizontal, AutoVertical


def _row(cls: type[Horizontal]) -> Horizontal:
    label = Label("A label that wraps", classes="label")
    label.styles.width = 8
    return cls(label, Static("A value long enough to wrap at thirty columns"), id=cls.__name__)


class Form(App[None]):
    CSS = "Horizontal, Vertical { height: auto; }"

    def compose(self) -> ComposeResult:
        for vertical, horizontal in ((Vertical, Horizontal), (AutoVertical, AutoHorizontal)):
            yield vertical(Static("Heading"), _row(horizontal), Static("A line under it"), id=vertical.__name__)


def _placements(container) -> list[tuple[str, tuple[int, int, int, int]]]:
    result = container.arrange(Size(38, 40))
    return [(type(p.widget).__name__.removeprefix("Auto"), tuple(p.region)) for p in result.placements]


async def test_arranged_as_plain_containers_once_for_any_height():
    app = Form()
    async with app.run_test(size=(40, 30)) as pilot:
        await pilot.pause()
        plain, auto = app.query_one("#Vertical"), app.query_one("#AutoVertical")
        assert _placements(auto) == _placements(plain)
        assert _placements(app.query_one("#AutoHorizontal")) == _placements(app.query_one("#Horizontal"))
        # One arrangement for any height offered (a plain one per height),
        # until the children change.
        assert auto.arrange(Size(38, 5)) is auto.arrange(Size(38, 50))
        assert plain.arrange(Size(38, 5)) is not plain.arrange(Size(38, 50))
        first = auto.arrange(Size(38, 5))
        await auto.mount(Static("One more line"))
        await pilot.pause()
        assert auto.arrange(Size(38, 5)) is not first
        assert len(auto.arrange(Size(38, 5)).placements) == 4
