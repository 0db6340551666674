"""SafeSelect (the Overview's and forms' Select) keeps its value when the app closes
under it: the label it would update may already be gone (the crash seen
when a library user opened a post-mortem and pressed ctrl+q at once)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static
from textual.widgets._select import SelectCurrent, SelectOverlay

from pmtui.ui.widgets.select import SafeSelect


class _One(App[None]):
    def compose(self) -> ComposeResult:
        yield SafeSelect([("open", "open"), ("in review", "in review")], value="open", id="status")


async def test_a_value_set_while_the_label_is_gone_is_kept_without_a_crash():
    app = _One()
    async with app.run_test() as pilot:
        select = app.query_one(SafeSelect)
        await select.query_one(SelectCurrent).query_one("#label", Static).remove()
        select.value = "in review"
        await pilot.pause()
        assert select.value == "in review"
        assert app.return_code is None and app.is_running


async def test_a_value_set_normally_shows_its_label():
    app = _One()
    async with app.run_test() as pilot:
        select = app.query_one(SafeSelect)
        select.value = "in review"
        await pilot.pause()
        label = select.query_one(SelectCurrent).query_one("#label", Static)
        assert "in review" in str(label.render())


async def test_options_filled_while_the_menu_is_gone_do_not_crash():
    """The Select's mount fills its menu; under load (or closing) the menu
    may not be there (the crash seen in the library's tmux journey)."""
    app = _One()
    async with app.run_test() as pilot:
        select = app.query_one(SafeSelect)
        await select.query_one(SelectOverlay).remove()
        select.set_options([("draft", "draft"), ("published", "published")])
        select.value = "published"
        await pilot.pause()
        assert select.value == "published"
        assert app.return_code is None and app.is_running
