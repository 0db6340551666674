"""Snapshots of the Collect pane on the demo incident, before and after a
collection from the recordings, at 80x24 and 160x48 (SVGs in snapshots/)."""

from __future__ import annotations

import pytest


async def _collected(pilot):
    await pilot.press("c")
    await pilot.app.workers.wait_for_complete()
    # The "Collected: ..." toast goes after 4 s; the table under it is what stays.
    pilot.app.clear_notifications()
    for _ in range(3):
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_collect_pane_snapshot(snap_compare, size, demo_app):
    assert snap_compare(demo_app(demo=True, first_pane="collect"), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_collect_pane_after_collecting_snapshot(snap_compare, size, demo_app):
    # Evidence paths are relative to the file, so the temp folder never shows.
    assert snap_compare(demo_app(demo=True, first_pane="collect"), terminal_size=size,
                        run_before=_collected)
