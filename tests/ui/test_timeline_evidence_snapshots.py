"""Snapshots of the new views at 80x24 and 160x48 (SVGs in snapshots/):
the timeline's key rows alone, a row's log evidence opened at its line
and searched, a metric row's chart with the incident's marks, and the
report's short timeline."""

from __future__ import annotations

import pytest

SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()  # the toasts of collecting and accepting would hide the view
    for _ in range(3):
        await pilot.pause()


async def _accepted(pilot) -> None:
    app = pilot.app
    await app.show_pane("collect")
    await pilot.press("c")
    await _settle(pilot)
    while app.panes["collect"].running:
        await pilot.pause(0.05)
    await pilot.press("A")
    await app.show_pane("timeline")
    await _settle(pilot)


def _open_row(text: str, *keys: str):
    async def run(pilot) -> None:
        await _accepted(pilot)
        pane = pilot.app.panes["timeline"]
        pane.table.move_cursor(next(i for i, e in enumerate(pane.table.rows) if text in e.event))
        await pilot.press("o")
        await _settle(pilot)
        if keys:
            await pilot.press(*keys)
            await _settle(pilot)

    return run


async def _key_rows(pilot) -> None:
    await _settle(pilot)
    pane = pilot.app.panes["timeline"]
    for i in (0, 3, 4, 8, 20):
        pane.table.move_cursor(i)
        await pilot.press("asterisk")
    await pilot.press("t")
    await _settle(pilot)


async def _report_key_rows(pilot) -> None:
    await _key_rows(pilot)
    await pilot.app.show_pane("report")
    await pilot.pause(0.2)
    await _settle(pilot)
    pilot.app.panes["report"].show_location("timeline")
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_timeline_key_rows_snapshot(snap_compare, size, demo_app):
    assert snap_compare(demo_app(first_pane="timeline"), terminal_size=size, run_before=_key_rows)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_report_key_rows_snapshot(snap_compare, size, demo_app):
    assert snap_compare(demo_app(first_pane="timeline"), terminal_size=size, run_before=_report_key_rows)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_log_evidence_searched_snapshot(snap_compare, size, demo_app):
    run = _open_row("request failed", "slash", *"pool exhausted", "enter")
    assert snap_compare(demo_app(demo=True, first_pane="timeline"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_metric_evidence_chart_snapshot(snap_compare, size, demo_app):
    run = _open_row("error ratio rose")
    assert snap_compare(demo_app(demo=True, first_pane="timeline"), terminal_size=size, run_before=run)
