"""The Overview opened and filled in one burst, in a real terminal: pmtui
in tmux at 80x24 on its Timeline (PMTUI_FIRST_PANE), then `1`, Tab, a
title, Tabs down to the Started time, a time, Tab and ctrl+s in one
send-keys. The form is built a few rows per frame after the pane's first
frame (src/pmtui/ui/panes/overview.py), so the keys land while it is being
built: each must reach the field it would reach in the finished form, and
the save must hold both. Read back from the saved file."""

from __future__ import annotations

import shutil
import sys
import time
from datetime import UTC, datetime

import pytest

from pmtui import store
from pmtui.sample import sample_postmortem

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")


def test_open_the_overview_and_fill_two_sections_in_one_burst_at_80x24(pmtui_env, tmp_path, tmux_terminal):
    path = tmp_path / "incident.toml"
    store.save(store.new_document(sample_postmortem(), path))
    fields_before_started = 11  # the Incident section's fields: title ... shared
    env = {**pmtui_env, "PMTUI_FIRST_PANE": "timeline"}
    term = tmux_terminal(80, 24)
    term.start([sys.executable, "-m", "pmtui", str(path)], env)
    term.wait_for("events")  # the Timeline's status line
    stamp = path.stat().st_mtime

    # One send-keys: the pane, into its first field, a title (typing over
    # the field's text: it is selected on focus), on to Started, a time, on, save.
    term.keys("1", "Tab", "Burst title", *["Tab"] * fields_before_started, "10:04", "Tab", "C-s")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime == stamp and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_mtime != stamp, term.screen()
    pm = store.load(path).pm
    assert pm.title == "Burst title"
    assert pm.times.started == datetime(2025, 2, 9, 10, 4, tzinfo=UTC)
    screen = term.settled()
    assert "Burst title" in screen and "Started" in screen
    lines = screen.split("\n")
    assert len([s for s in lines if s]) <= 24 and all(len(s) <= 80 for s in lines)
    term.keys("C-q")
