"""Snapshots of the Report pane (preview and checklist) on the demo
incident at 80x24 and 160x48 (SVGs in snapshots/)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_report_pane_snapshot(snap_compare, size, settle, demo_app):
    assert snap_compare(demo_app(first_pane="report"), terminal_size=size, run_before=settle)
