"""Snapshots of the Analysis pane on the demo incident at 80x24 and 160x48
(SVGs in snapshots/; update with --snapshot-update)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_analysis_pane_snapshot(snap_compare, size, settle, demo_app):
    assert snap_compare(demo_app(first_pane="analysis"), terminal_size=size, run_before=settle)


def test_fishbone_snapshot(snap_compare, settle, demo_app):
    async def fishbone(pilot):
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)

    assert snap_compare(demo_app(first_pane="analysis"), terminal_size=(160, 48), run_before=fishbone)
