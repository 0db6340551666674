"""Snapshots of the overview and timeline panes on the demo incident, at
80x24 and 160x48 (SVGs in snapshots/; update with --snapshot-update)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("pane", ["overview", "timeline"])
def test_pane_snapshot(snap_compare, pane, size, demo_app, settle):
    async def form_built(pilot):
        # The overview's first frame shows its fields as text; the form
        # replaces that right after. The snapshot is of the form, once it is
        # built and laid out (an event, not a guessed pause: under load the
        # form took longer than a pause and the snapshot caught the stand-in).
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if pane == "overview":
            await pilot.app.panes["overview"].form_shown.wait()
            # Its text areas re-wrap after that frame (call_after_refresh):
            # wait until those refreshes have run, under load too.
            await settle(pilot)
        await settle(pilot)

    assert snap_compare(demo_app(first_pane=pane), terminal_size=size, run_before=form_built)


def test_timeline_form_snapshot(snap_compare, demo_app):
    assert snap_compare(demo_app(first_pane="timeline"), press=["down", "e"], terminal_size=(80, 24))
