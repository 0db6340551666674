"""The timeline's filter in the pane shows exactly the rows the plain rule
finds, in order, while typed a key at a time (each key narrowing the last
results, streamed in slices) and after edits, undo, redo, inserts and
deletes made under a filter."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from textual import events
from textual.keys import _character_to_key

from pmtui.model import TimelineEvent
from pmtui.rowfilter import RowFilter, matches
from pmtui.sample import large_postmortem
from pmtui.ui.panes.timeline import TimelinePane


def plain(rows: list[TimelineEvent], needle: str, key_only: bool = False) -> list[TimelineEvent]:
    needle = needle.strip().lower()
    return [e for e in rows if (not key_only or e.key)
            and (needle in e.event.lower() or needle in e.source.lower()
                 or needle in e.actor.lower() or needle in e.kind.lower())]


async def settled(pilot, pane: TimelinePane) -> list[TimelineEvent]:
    for _ in range(400):
        await pilot.pause()
        if pane._filter is None or pane._filter.done:
            break
        await asyncio.sleep(0.01)
    return list(pane.table.rows)


def same(shown: list[TimelineEvent], expected: list[TimelineEvent]) -> bool:
    return [id(e) for e in shown] == [id(e) for e in expected]


@pytest.fixture
def small_chunks(monkeypatch):
    # Slices of a few rows, so every filter streams in over many slices.
    monkeypatch.setattr(RowFilter, "CHUNK", 97)
    monkeypatch.setattr("pmtui.ui.panes.timeline.FILTER_SLICE", 0.0)


async def test_typed_filter_matches_the_plain_rule_through_edits(make_app, small_chunks):
    pm = large_postmortem(3000)
    pm.timeline[5].event = "Straße Σ EVENT"  # lowering that is not one character to one
    for row in pm.timeline[::37]:
        row.key = True
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane: TimelinePane = app.panes["timeline"]
        events = app.session.pm.timeline
        await pilot.press("slash")
        typed = ""
        for ch in "pod api-1":  # typed faster than each filter finishes: narrowing a partial result
            typed += ch
            await pilot.press("space" if ch == " " else ch)
        assert same(await settled(pilot, pane), plain(events, typed))
        await pilot.press("backspace", "backspace")
        assert same(await settled(pilot, pane), plain(events, "pod api"))
        await pilot.press("-", "1", "6")
        shown = await settled(pilot, pane)
        assert shown and same(shown, plain(events, "pod api-16"))

        # An edit that makes a shown row stop matching, then one that makes a hidden row match.
        row = shown[3]
        pane.update_event(row, {"event": "no longer a match"})
        assert same(await settled(pilot, pane), plain(events, "pod api-16"))
        hidden = next(e for e in events if e not in shown)
        pane.update_event(hidden, {"source": "POD API-16 via kubectl", "time": hidden.time + timedelta(hours=2)})
        after = await settled(pilot, pane)
        assert any(e is hidden for e in after) and same(after, plain(events, "pod api-16"))
        await pilot.press("ctrl+z")  # undo the second edit
        assert same(await settled(pilot, pane), plain(events, "pod api-16"))
        await pilot.press("ctrl+z")  # and the first
        back = await settled(pilot, pane)
        assert any(e is row for e in back) and same(back, plain(events, "pod api-16"))
        await pilot.press("ctrl+y")
        assert same(await settled(pilot, pane), plain(events, "pod api-16"))

        # Insert a matching row, delete one (x on the table), undo the delete.
        pane.insert_event(TimelineEvent(events[100].time, "restarted pod api-16", kind="action"))
        inserted = await settled(pilot, pane)
        assert same(inserted, plain(events, "pod api-16"))
        await pilot.press("enter")  # keep the filter, keys to the table
        await pilot.press("down", "x")
        deleted = await settled(pilot, pane)
        assert len(deleted) == len(inserted) - 1 and same(deleted, plain(events, "pod api-16"))
        await pilot.press("ctrl+z")
        assert same(await settled(pilot, pane), plain(events, "pod api-16"))

        # Shorter again after the edits, then the key rows view with a filter typed in it.
        await pilot.press("slash", "end", "backspace", "backspace", "backspace")  # focus selects all
        assert pane.filter_text == "pod api", pane.filter_text
        assert same(await settled(pilot, pane), plain(events, "pod api"))
        await pilot.press("escape", "t")  # clear, key rows only
        keys = await settled(pilot, pane)
        assert keys and same(keys, plain(events, "", key_only=True))
        await pilot.press("slash", *"api-3")
        assert same(await settled(pilot, pane), plain(events, "api-3", key_only=True))
        await pilot.press("escape", "t")
        assert same(await settled(pilot, pane), events)


# -- keys typed in one burst ----------------------------------------------------------


def burst(app, keys: list[str]) -> None:
    """Every key posted at once, before the first is handled (as the driver
    posts what one read of a slow link brings); one character is typed."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(key if key.isalnum() else _character_to_key(key), key))
        else:
            app.post_message(events.Key(key, None))


async def until(pilot, check, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.01)


def rebuilds_for_text(pane: TimelinePane) -> list[str]:
    """The filter texts the pane applied (a rebuild for a typed text, not for an edit)."""
    applied: list[str] = []
    original = pane._rebuild

    def rebuild(*args, **kwargs):
        if kwargs.get("changed") is False:
            applied.append(pane.filter_text)
        return original(*args, **kwargs)

    pane._rebuild = rebuild  # type: ignore[method-assign]
    return applied


def needle_rows(pm, needle: str, rows: list[int]) -> list[int]:
    for i in rows:
        pm.timeline[i].event = f"{needle} seen at row {i}"
    return rows


async def test_slash_needle_enter_x_in_one_burst_deletes_the_first_match(make_app, small_chunks):
    # The filter is applied once the burst's characters are handled (once,
    # not per character) and before the x, which goes to the table: x
    # deletes the first row that matches, never the row under the cursor of
    # the view before the filter (row 0, which does not match).
    pm = large_postmortem(3000)
    at = needle_rows(pm, "kestrel-7", [1200, 1700, 2600])
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane: TimelinePane = app.panes["timeline"]
        events_ = app.session.pm.timeline
        matching = [events_[i] for i in at]
        assert pane.table.cursor_row == 0 and not matches(pane.table.cursor_value, "kestrel-7")
        applied = rebuilds_for_text(pane)
        burst(app, ["slash", *"kestrel-7", "enter", "x"])
        await until(pilot, lambda: len(events_) == 2999)
        assert all(e is not matching[0] for e in events_)
        assert all(any(e is m for e in events_) for m in matching[1:])
        assert applied == ["kestrel-7"]  # one pass for the nine characters
        shown = await settled(pilot, pane)
        assert same(shown, matching[1:]) and pane.table.cursor_value is matching[1]

        # Down then x in the same burst as a new needle: the second match of that one.
        others = [events_[i] for i in (300, 2200, 2900)]
        for row in others:
            row.source = "heron-3 feed"
        burst(app, ["slash", *"heron-3", "enter", "down", "x"])
        await until(pilot, lambda: len(events_) == 2998)
        assert all(e is not others[1] for e in events_)
        assert same(await settled(pilot, pane), [others[0], others[2]])
        assert app.keys_forced == 0


async def test_a_filter_cleared_and_retyped_in_one_burst_shows_the_new_rows(make_app, small_chunks):
    pm = large_postmortem(3000)
    needle_rows(pm, "kestrel-7", [5, 1200])
    at = needle_rows(pm, "heron-3", [40, 900, 2999])
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane: TimelinePane = app.panes["timeline"]
        heron = [app.session.pm.timeline[i] for i in at]
        await pilot.press("slash", *"kestrel-7", "enter")
        assert len(await settled(pilot, pane)) == 2
        applied = rebuilds_for_text(pane)
        # Esc (clear, back to the table) then / and the new text, then enter: one burst.
        burst(app, ["slash", "escape", "slash", *"heron-3", "enter"])
        await until(pilot, lambda: pane.filter_text == "heron-3" and not pane._filter_pending)
        shown = await settled(pilot, pane)
        assert same(shown, heron) and pane.table.cursor_value is heron[0]
        assert applied[-1] == "heron-3" and len(applied) <= 2  # "" before the /, then the new text
        assert pane.query_one("#timeline-filter").value == "heron-3"
        assert app.screen.focused is pane.table


async def test_the_cursor_keeps_its_row_while_the_results_stream_in(make_app, small_chunks):
    # The row under the cursor matches but lies past the first step's rows:
    # the cursor goes to it when it streams in (it stayed at its index before).
    pm = large_postmortem(3000)
    at = needle_rows(pm, "osprey", [100, 2500, 2900])
    app = make_app(pm, first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane: TimelinePane = app.panes["timeline"]
        rows = [app.session.pm.timeline[i] for i in at]
        pane.table.move_cursor(2500)
        await pilot.pause()
        await pilot.press("slash", *"osprey")
        assert same(await settled(pilot, pane), rows)
        assert pane.table.cursor_value is rows[1]


async def test_enter_in_the_filter_hands_the_keys_to_this_panes_table_after_the_report_was_shown(make_app):
    # The Report pane's preview table has the timeline table's class name;
    # a query by type from the screen found it first (hidden), and the keys
    # after Enter went there: x deleted nothing, the footer showed the Report's keys.
    pm = large_postmortem(300)
    at = needle_rows(pm, "kestrel-7", [120, 250])
    app = make_app(pm, first_pane="overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.guard is not None)
        events_ = app.session.pm.timeline
        first = events_[at[0]]
        burst(app, ["6", "3", "slash", *"kestrel-7", "enter", "x"])
        await until(pilot, lambda: len(events_) == 299)
        assert all(e is not first for e in events_)
        pane: TimelinePane = app.panes["timeline"]
        assert app.focused is pane.table
