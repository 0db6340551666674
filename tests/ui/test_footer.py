"""The footer shows whole keys, in the order their panes declare them, and
"? more" when some are left out — at every width, in every pane."""

from __future__ import annotations

import pytest

from pmtui.ui.app import PANES
from pmtui.ui.widgets.footer import FooterEntry, KeyFooter, fit


def entry(key: str, description: str, action: str | None = None) -> FooterEntry:
    return FooterEntry(key, key, description, True, action or description.lower(), None)  # type: ignore[arg-type]


KEYS = [entry("a", "Add event"), entry("e", "Edit"), entry("x", "Delete"), entry("D", "Mark detection"),
        entry("^s", "Save", "save"), entry("^q", "Quit", "quit"), entry("?", "Keys", "help")]


def line(entries: list[FooterEntry]) -> str:
    return "  ".join(f"{e.display} {e.description}" for e in entries)


def test_everything_fits_wide():
    shown = fit(KEYS, 200, more_action="help", pinned=("save", "quit"))
    assert line(shown) == "a Add event  e Edit  x Delete  D Mark detection  ^s Save  ^q Quit  ? Keys"


@pytest.mark.parametrize("width", range(8, 80))
def test_narrow_widths_keep_keys_whole_in_order_and_say_more(width):
    shown = fit(KEYS, width, more_action="help", pinned=("save", "quit"))
    text = line(shown)
    assert len(text) <= width
    descriptions = [e.description for e in shown]
    # A prefix of the pane's keys in their order, then save/quit, then "? more".
    others = [e.description for e in KEYS[:4]]
    assert descriptions[: len([d for d in descriptions if d in others])] == others[: len(
        [d for d in descriptions if d in others])]
    if width >= len(line(KEYS)):
        assert descriptions[-1] == "Keys"  # nothing left out: no "more"
    elif width >= len("? more"):
        assert descriptions[-1] == "more"
    if width >= len("^s Save  ^q Quit  ? more"):
        assert "Save" in descriptions and "Quit" in descriptions


def test_pinned_keys_keep_their_order():
    shown = fit([entry("^q", "Quit", "quit"), entry("a", "Add"), entry("^s", "Save", "save")], 200,
                more_action="help", pinned=("save", "quit"))
    assert [e.description for e in shown] == ["Add", "Save", "Quit"]


@pytest.mark.parametrize("pane", [p.name for p in PANES])
@pytest.mark.parametrize("width", [40, 80, 160])
async def test_every_pane_footer_at_every_width(make_app, settle, pane, width):
    app = make_app(first_pane=pane)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = app.query_one(KeyFooter)
        shown = footer.shown()
        text = line(shown)
        assert len(text) + 1 <= width
        drawn = footer.render_line(0).text.rstrip()
        assert drawn == " " + text
        for e in shown:
            assert f"{e.display} {e.description}" in drawn  # whole, never cut
        if width <= 80:
            assert shown[-1].description == "more"
        assert any(e.description == "Save" for e in shown)


async def test_footer_follows_focus_and_keymap(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        footer = app.query_one(KeyFooter)
        assert [e.description for e in footer.shown()][:3] == ["Add event", "Edit", "Delete"]
        app.set_keymap({"timeline.add": "n"})
        await settle(pilot)
        first = footer.shown()[0]
        assert (first.display, first.description) == ("n", "Add event")  # rebound, still first
