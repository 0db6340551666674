"""The library in a real terminal: `pmtui DIR` in tmux at 80x24, keys sent
in bursts as a fast typist over a slow link sends them, the screen read
back with capture-pane. Enter opens the editor; closing it comes back to
the library as it was; plain `pmtui` in a folder of post-mortems opens
the library too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from pmtui.sample_library import add_bad_files, make_library

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/setup.sh")


@pytest.fixture
def term(tmp_path, tmux_terminal):
    folder = tmp_path / "postmortems"
    make_library(folder, 60, events=(50, 80), per_folder=20)
    add_bad_files(folder)
    env = {
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"], "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
        "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"], "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
        "TERM": "xterm-256color", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    yield tmux_terminal(), folder, env


def _rows(screen: str) -> list[str]:
    return [ln for ln in screen.splitlines() if ln[:4].isdigit() and ln[4:5] == "-"]


def _detail_id(screen: str) -> str:
    """The id the detail panel shows: the highlighted post-mortem."""
    return next(ln.split()[0] for ln in screen.splitlines() if ln.startswith(" PM-"))


def test_library_at_80x24_with_keys_in_bursts(term):
    tmux, folder, env = term
    tmux.start([sys.executable, "-m", "pmtui", "postmortems"], env, folder.parent, remain=True)
    first = tmux.wait_for("63 of 63 shown")
    assert "3 unreadable" in first and "Date" in first and "Title" in first
    assert len(_rows(first)) >= 8
    lines = first.splitlines()
    assert all(len(ln) <= 80 for ln in lines) and len(lines) <= 24

    # Filter in one burst, then the sort key and three rows down in another.
    tmux.burst("/sev:SEV1 svc:auth")
    tmux.keys("Enter")
    filtered = tmux.wait_for("severity SEV1; service auth")
    shown = int(filtered.split(" of 63 shown")[0].split()[-1])
    assert 0 < shown < 63
    tmux.burst("srjjj")
    tmux.wait_for("by severity \u2191")
    screen = tmux.settled()
    rows = _rows(screen)
    assert rows and all("SEV1" in r for r in rows)
    chosen = _detail_id(screen)

    # Enter opens the editor on the highlighted post-mortem ...
    tmux.keys("Enter")
    editor = tmux.wait_for("1 Overview")
    assert "Collect" in editor and "Timeline" in editor
    # ... and closing it comes back to the library as it was.
    tmux.keys("C-q")
    tmux.wait_for("by severity \u2191")
    back = tmux.settled()
    assert "filter: severity SEV1; service" in back
    assert _detail_id(back) == chosen and all("SEV1" in r for r in _rows(back))

    # An unreadable file says why when chosen; the app stays.
    tmux.keys("Escape")
    time.sleep(0.3)  # a lone Escape: not the start of an Alt sequence
    tmux.burst("G")
    tmux.wait_for("63 of 63 shown")
    tmux.keys("Enter")
    tmux.wait_for("cannot be opened")
    tmux.burst("q")
    deadline = time.monotonic() + 10
    while not tmux.dead() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tmux.dead()


def test_plain_pmtui_in_a_folder_of_postmortems_opens_the_library(term):
    tmux, folder, env = term
    tmux.start([sys.executable, "-m", "pmtui"], env, folder, remain=True)
    tmux.wait_for("63 of 63 shown")
    # The footer fills in its screen's keys a frame after the screen mounts;
    # the rows (read from outlines) can be on screen before it.
    screen = tmux.wait_for("c Charts", timeout=5)
    assert "Filter" in screen and "63 of 63 shown" in screen
    tmux.burst("c")
    tmux.wait_for("What keeps hurting us")
    tmux.keys("C-q")
    deadline = time.monotonic() + 10
    while not tmux.dead() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tmux.dead()


def test_plain_pmtui_elsewhere_prints_the_help(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pmtui"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.startswith("Usage:")
