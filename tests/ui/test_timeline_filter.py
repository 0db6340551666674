"""The timeline's filter in the pane shows exactly the rows the plain rule
finds, in order, while typed a key at a time (each key narrowing the last
results, streamed in slices) and after edits, undo, redo, inserts and
deletes made under a filter."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from pmtui.model import TimelineEvent
from pmtui.rowfilter import RowFilter
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
