"""A row's evidence in a real terminal: pmtui in tmux at 80x24, keys sent
in bursts as a fast typist over a slow link sends them; the screen read
back with capture-pane. The Timeline row of the first 'request failed'
error (collected from the demo recordings, accepted with its evidence
reference) opens at its log line, is searched, stepped through, wrapped
and closed."""

from __future__ import annotations

import re
import shutil
import sys
import time

import pytest

from pmtui import store
from pmtui.sources import collect as col

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")


def _post_mortem(tmp_path, repo_root):
    path = tmp_path / "api.toml"
    shutil.copyfile(repo_root / "examples" / "api-degradation.toml", path)
    doc = store.load(path)
    result = col.collect(doc.pm, path, demo=True)
    col.accept(doc.pm, result.candidates)
    store.save(doc)
    row = next(e for e in doc.pm.timeline if e.event.startswith("first 'request failed"))
    (ref,) = row.evidence
    return path, int(ref.rsplit("#L", 1)[1])


def test_open_search_and_close_a_rows_evidence_at_80x24(pmtui_env, tmp_path, tmux_terminal, repo_root):
    path, line = _post_mortem(tmp_path, repo_root)
    env = pmtui_env
    term = tmux_terminal(80, 24)
    term.start([sys.executable, "-m", "pmtui", str(path)], env)
    term.wait_for("API Service Degradation")
    # To the timeline; filter to the row, back to the table, open its evidence: one burst.
    term.keys("3")
    term.wait_for("Add event")
    term.keys("/")
    term.wait_for("filter:")
    term.type("request failed")
    term.keys("Enter", "o")
    term.wait_for("marked \u25b6")
    screen = term.wait_for(f"{line:,}\u25b6")  # the view scrolled to it
    assert f"line {line} marked" in screen
    marked = next(s for s in screen.splitlines() if "\u25b6" in s and "level=error" in s)
    assert f"{line:,}\u25b6" in marked
    # Search: the box, then the text and enter and two matches on and one back, in one burst
    # (the keys after enter go to the view, not into the box).
    term.keys("/")
    term.wait_for("enter finds")
    term.type("pool exhausted")
    term.keys("Enter", "n", "n", "N")
    screen = term.wait_for("2 of ")
    total = int(re.search(r"2 of (\d+) matches", screen).group(1))
    assert total > 10 and "'pool exhausted'" in screen
    assert "pool exhausted" in next(s for s in screen.splitlines() if "\u25b6" not in s and "pool" in s)
    term.keys("w")
    term.wait_for("wrapped")
    # Closed: the timeline is back, filtered to the row.
    term.keys("q")
    deadline = time.monotonic() + 10
    while "marked \u25b6" in term.screen() and time.monotonic() < deadline:
        time.sleep(0.1)
    screen = term.screen()
    assert "marked \u25b6" not in screen and "1 shown" in screen and "Add event" in screen
    # What the person saw fits the terminal and holds no raw escape.
    lines = screen.split("\n")
    assert len([s for s in lines if s]) <= 24 and all(len(s) <= 80 for s in lines)
    assert "\x1b" not in screen
    term.keys("C-q")
