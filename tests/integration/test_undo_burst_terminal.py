"""Undo and redo typed in one burst, in a real terminal: pmtui in tmux at
80x24 on a 20,000-event post-mortem. Each undo and redo jumps the cursor
thousands of rows away, where the table's lines (kept per row, with the
scroll bar's drawings) were drawn before: what the terminal shows must be
the rows and the detail of the document as it is, never a line kept from
before the change."""

from __future__ import annotations

import shutil
import sys

import pytest

from pmtui import store
from pmtui.sample import large_postmortem

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")

EVENTS = 20_000


def _table_rows(screen: str) -> list[str]:
    return [line for line in screen.splitlines() if "Event " in line and ":" in line]


def test_undo_redo_bursts_far_away_show_the_document_at_80x24(pmtui_env, tmp_path, tmux_terminal):
    pm = large_postmortem(EVENTS)
    pm.timeline[0].event = "Event 0: first row, to be deleted and brought back"
    path = tmp_path / "big.toml"
    store.save(store.new_document(pm, path))
    env = pmtui_env
    term = tmux_terminal(80, 24)
    term.start([sys.executable, "-m", "pmtui", str(path)], env)
    term.wait_for("Overview")
    term.keys("3")
    term.wait_for(f"{EVENTS} events", timeout=60)
    term.keys("G", "g")  # the last screen drawn once, then back: both are in the table's caches
    term.wait_for("Event 0:")

    # Delete row 0, to the end, undo (back to the top), redo (gone again), to the end, undo: one burst.
    term.keys("x", "G", "C-z", "C-y", "G", "C-z")
    term.wait_for(f"{EVENTS} events", timeout=30)
    screen = term.settled()
    rows = _table_rows(screen)
    assert rows[0].split("Event ", 1)[1].startswith("0: first row"), screen
    numbers = [int(r.split("Event ", 1)[1].split(":")[0]) for r in rows[:-1] if "first row" not in r]
    assert numbers == list(range(1, len(numbers) + 1)), screen  # the rows after it, in order, none stale
    assert "19999" not in screen
    assert screen.count("first row") == 2, screen  # the row and the detail panel under the table

    # Redo far from the row, then undo and redo again in one burst: row 0 gone, Event 1 on top.
    term.keys("G", "C-y", "C-z", "C-y")
    term.wait_for(f"{EVENTS - 1} events", timeout=30)
    screen = term.settled()
    rows = _table_rows(screen)
    assert "first row" not in screen, screen
    numbers = [int(r.split("Event ", 1)[1].split(":")[0]) for r in rows[:-1]]
    assert numbers == list(range(1, len(numbers) + 1)), screen
