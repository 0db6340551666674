"""The Overview's form built a section per frame when the pane is first
shown (benchmarks/bench_timeline.py --only switch): every frame lays out
one more section, and keys typed in one burst with the key that opens the
pane land as if the form had been there all along."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

import pytest
from textual import events
from textual.widgets import TextArea

from pmtui.session import Area
from pmtui.ui.panes.overview import ROWS_PER_FRAME, OverviewPane


def burst(app, keys: list[str]) -> None:
    """Every key posted at once, before the first is handled (as the driver
    posts what one read of a slow link brings)."""
    for key in keys:
        app.post_message(events.Key("space" if key == " " else key, key if len(key) == 1 else None))


async def handled_mid_build(app, name: str = "overview") -> bool:
    """Wait until every key of the burst is handled; True when some of them
    were handled while the form was still being built."""
    mid_build = False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not app._held and app.key_in_flight is None:  # the burst still in the app's queue
        assert loop.time() < deadline, "keys never read"
        await asyncio.sleep(0)
    while app._held or app.key_in_flight is not None:
        pane = app.panes.get(name)
        if isinstance(pane, OverviewPane) and pane.building:
            mid_build = True
        assert loop.time() < deadline, "keys never handled"
        await asyncio.sleep(0)
    return mid_build


async def shown(app) -> OverviewPane:
    pane = app.panes["overview"]
    assert isinstance(pane, OverviewPane)
    await asyncio.wait_for(pane.form_shown.wait(), 15)
    return pane


async def test_each_frame_draws_a_few_more_rows(make_app, settle):
    app = make_app(first_pane="timeline")
    counts: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        original = app._display

        def display(screen, update):
            pane = app.panes.get("overview")
            if pane is not None:
                counts.append(len(pane.query(".overview--row, .overview--heading")))
            return original(screen, update)

        app._display = display
        await app.show_pane("overview")
        pane = await shown(app)
        await settle(pilot)
        total = len(pane.query(".overview--row, .overview--heading"))
    assert total == len(pane.fields) + len(pane.SECTIONS) + 1  # and the sign-off line
    # The summary first, then the form a few rows per frame (a text area
    # counts two; the sign-off line comes with the last row).
    assert counts[0] == 0 and counts[-1] == total
    steps = [b - a for a, b in itertools.pairwise(counts) if b != a]
    assert len(steps) >= total // (ROWS_PER_FRAME + 1)
    assert max(steps) <= ROWS_PER_FRAME + 1


async def test_open_then_tab_and_type_in_one_burst_fills_the_title(make_app, saved, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["1", "tab", *"Checkout outage", "ctrl+s"])
        assert await handled_mid_build(app)
        await shown(app)
        assert app.focused is not None and app.focused.id == "ov-title"
        assert app.session.pm.title == "Checkout outage"  # ctrl+s took the field's text
        assert saved(app).title == "Checkout outage"


async def test_enter_from_the_bar_mid_build_goes_to_the_first_field(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["1", "enter", *"Typed", "enter"])
        assert await handled_mid_build(app)
        await shown(app)
        assert app.session.pm.title == "Typed"


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_tab_walks_the_fields_in_order_while_the_form_is_built(make_app, settle, size):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane_fields = [f.name for f in OverviewPane(app.session, app.pane_context).fields]
        started = pane_fields.index("started")
        # The bar, then every field of the Incident section, then the first
        # of the next section (not built yet when the tabs are handled).
        burst(app, ["1", *["tab"] * (started + 1), *"10:04", "tab"])
        assert await handled_mid_build(app)
        await shown(app)
        assert app.focused is not None and app.focused.id == f"ov-{pane_fields[started + 1]}"
        assert app.session.pm.times.started == datetime(2025, 2, 9, 10, 4, tzinfo=UTC)


async def test_tab_into_a_text_area_and_shift_tab_back_mid_build(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        names = [f.name for f in OverviewPane(app.session, app.pane_context).fields]
        impact = names.index("impact")  # the first text area, in the third section
        burst(app, ["1", *["tab"] * (impact + 1)])
        assert await handled_mid_build(app)
        assert app.focused is not None and app.focused.id == "ov-impact"
        burst(app, ["shift+tab", "shift+tab"])
        await handled_mid_build(app)
        assert app.focused is not None and app.focused.id == f"ov-{names[impact - 2]}"
        await shown(app)


async def test_next_section_key_mid_build(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["1", "ctrl+down", "ctrl+down", "ctrl+down"])
        assert await handled_mid_build(app)
        assert app.focused is not None and app.focused.id == "ov-impact"  # the third section's first field
        await shown(app)


async def test_a_change_while_the_form_is_built_reaches_every_field(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.show_pane("overview")
        pane = app.panes["overview"]
        assert isinstance(pane, OverviewPane)
        while not pane.query("#ov-title"):
            await asyncio.sleep(0)
        assert pane.building and not pane.query("#ov-summary")
        # Undoable edits from elsewhere (undo, the timeline's marks): to a
        # field built already and to one not built yet.
        pm = app.session.pm
        app.session.set(Area.OVERVIEW, "edit title", pm, "title", "Renamed", focus="title")
        app.session.set(Area.OVERVIEW, "edit summary", pm, "summary", "Moved on", focus="summary")
        await shown(app)
        await settle(pilot)
        assert (pane.raw("title"), pane.raw("summary")) == ("Renamed", "Moved on")
        app.session.undo()
        app.session.undo()
        await settle(pilot)
        assert (pane.raw("title"), pane.raw("summary")) == ("API Service Degradation", pm.summary)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_text_areas_show_their_wrap_once_built(demo_app, settle, screen_text, size):
    """What is on screen once the form is shown is what each text area
    holds now: painting the text areas again changes nothing. (Built in one
    go, the form's text areas at 160x48 showed lines wrapped at a width
    they no longer had: the outer scrollbar came after their last wrap.)"""
    for first in ("overview", "timeline"):
        app = demo_app(first_pane=first)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if first == "timeline":
                await app.show_pane("overview")
            pane = await shown(app)
            await settle(pilot)
            before = screen_text(app)
            for area in pane.query(TextArea):
                area.refresh()
            await settle(pilot)
            assert screen_text(app) == before
