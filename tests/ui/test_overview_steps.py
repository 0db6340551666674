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
                counts.append(len(pane.query(".overview--label")))
            return original(screen, update)

        app._display = display
        await app.show_pane("overview")
        pane = await shown(app)
        await settle(pilot)
        total = len(pane.query(".overview--label"))
    assert total == len(pane.fields) + 1  # and the sign-off line
    # The summary first, then the form a few rows per frame (a text area
    # counts two; the sign-off line comes with the last row).
    assert counts[0] == 0 and counts[-1] == total, counts
    steps = [b - a for a, b in itertools.pairwise(counts) if b != a]
    assert len(steps) >= total // (ROWS_PER_FRAME + 1), counts
    assert max(steps) <= ROWS_PER_FRAME + 1, counts


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


LONG_TEAM = """\
[[severity]]
name = "P1"
description = "Customer-facing outage of a whole region, with payments or sign-in down for every customer in it"

[[fields]]
name = "budget_owner"
label = "Owner of the error budget that this incident spent"
type = "text"
"""


def _sections(pane: OverviewPane) -> dict[str, tuple[int, int]]:
    """Each section's place in the form (scrolled or not) and height."""
    top = pane.query_one("#overview-grid").region.y
    return {box.id: (box.region.y - top, box.region.height) for box in pane.query(".overview--section") if box.id}


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 48)], ids=["80x24", "120x40", "160x48"])
async def test_sections_never_move_while_the_form_is_built(make_app, tmp_path, settle, size):
    """Every section is as high, and where, in every frame from the form's
    first to its last as once it is built: a step changes nothing on screen
    but the rows it fills (had a section grown row by row, Textual would have
    repainted every section on screen at each step). Long labels and a hint
    that wraps included."""
    (tmp_path / ".pmtui.toml").write_text(LONG_TEAM)
    pm = make_app().session.pm
    pm.severity = "P1"
    app = make_app(pm, first_pane="timeline")
    frames: list[dict[str, tuple[int, int]]] = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        original = app._display

        def display(screen, update):
            pane = app.panes.get("overview")
            # From the first frame that lays the sections out.
            grid = pane.query("#overview-grid") if isinstance(pane, OverviewPane) else None
            if grid and grid.first().region:
                frames.append(_sections(pane))
            return original(screen, update)

        app._display = display
        await app.show_pane("overview")
        pane = await shown(app)
        await settle(pilot)
        final = _sections(pane)
        hint = pane.query_one("#hint-severity").region.height
    assert hint >= 2 and len(frames) > 3 and len(final) == len(OverviewPane.SECTIONS)
    assert all(frame == final for frame in frames), ([f for f in frames if f != final][:1], final)


async def test_a_section_grows_with_an_error_once_built(make_app, settle):
    """Once built, the form's sections are as high as their rows again (the
    heights fixed while building are gone): an error under a field pushes
    what follows down, and goes when the text is right."""
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.show_pane("overview")
        pane = await shown(app)
        await settle(pilot)
        before = _sections(pane)
        box = pane.editor("failed_requests")
        box.focus()
        box.value = "many"
        await pilot.press("tab")
        await settle(pilot)
        assert "whole number" in pane.error_text("failed_requests")
        grown = _sections(pane)
        lines = pane.query_one("#error-failed_requests").region.height
        box.value = "40000"
        assert pane.commit("failed_requests")
        await settle(pilot)
        after = _sections(pane)
    impact = f"section-{OverviewPane.SECTIONS.index('Impact')}"
    below = f"section-{OverviewPane.SECTIONS.index('What happened')}"
    assert lines >= 1
    assert grown[impact][1] == before[impact][1] + lines
    assert grown[below][0] == before[below][0] + lines
    assert after == before


async def test_a_resize_while_the_form_is_built_moves_nothing_after_it(make_app, settle):
    """The heights the form's frame was made with follow a resize during the
    build: from the first frame of the wide layout to the last, every
    section is where the built form has it (two sections a row)."""
    app = make_app(first_pane="timeline")
    frames: list[dict[str, tuple[int, int]]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        original = app._display

        def display(screen, update):
            pane = app.panes.get("overview")
            grid = pane.query("#overview-grid") if isinstance(pane, OverviewPane) else None
            if grid and grid.first().region and pane.has_class("-wide"):
                frames.append(_sections(pane))
            return original(screen, update)

        app._display = display
        await app.show_pane("overview")
        pane = app.panes["overview"]
        while not pane.query(".overview--label"):
            await asyncio.sleep(0)
        assert pane.building
        await pilot.resize_terminal(160, 48)
        await shown(app)
        await settle(pilot)
        final = _sections(pane)
    assert len(frames) > 3 and final["section-0"][0] == final["section-1"][0]  # side by side
    assert all(frame == final for frame in frames), ([f for f in frames if f != final][:1], final)
