"""A dropped terminal, for real: pmtui runs in tmux, edits are typed, the
tmux server is killed (the pane's process gets SIGHUP, as when an SSH
connection drops), pmtui must be gone within a second; the next start
offers the recovery and restoring brings every edit back. SIGTERM the same
way."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pmtui import store
from pmtui.filesafety.journal import find_recovery
from pmtui.sample import sample_postmortem

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")

EDITS = 5


def _gone(pid: int) -> bool:
    """Exited (a zombie waiting for a reaper counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _wait_gone(pid: int, timeout: float = 5.0) -> float:
    start = time.monotonic()
    while not _gone(pid):
        if time.monotonic() - start > timeout:
            raise AssertionError(f"pmtui (pid {pid}) still running {timeout}s after the signal")
        time.sleep(0.01)
    return time.monotonic() - start


@pytest.fixture()
def setup(tmp_path, tmux_terminal):
    path = tmp_path / "incident.toml"
    store.save(store.new_document(sample_postmortem(), path))
    env = {
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"],
        "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
        "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"],
        "TERM": "xterm-256color",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    yield path, env, tmux_terminal(120, 40), tmux_terminal


def _make_edits(tmux: Any) -> int:
    """Duplicate the first timeline row EDITS times, one key per edit, and
    return how many the screen shows were made."""
    tmux.keys("3")
    first = tmux.wait_for("First 5xx errors appear")
    before = first.count("First 5xx errors appear")
    for _ in range(EDITS):
        tmux.keys("d")
        time.sleep(0.05)
    deadline = time.monotonic() + 5
    while tmux.screen().count("First 5xx errors appear") < before + EDITS and time.monotonic() < deadline:
        time.sleep(0.02)
    return tmux.screen().count("First 5xx errors appear") - before


def _restore_and_save(path: Path, env: dict[str, str], tmux: Any) -> str:
    tmux.start([sys.executable, "-m", "pmtui", str(path)], env)
    offer = tmux.wait_for("Restore them?")
    tmux.keys("r")
    tmux.wait_for("unsaved")
    tmux.keys("C-s")
    deadline = time.monotonic() + 10
    while find_recovery(path) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    tmux.keys("C-q")
    return offer


def test_dropped_terminal_keeps_every_edit(setup):
    path, env, tmux, terminal = setup
    original = len(store.load(path).pm.timeline)
    pid = tmux.start([sys.executable, "-m", "pmtui", str(path)], env)
    tmux.wait_for("Overview")
    made = _make_edits(tmux)
    assert made == EDITS
    tmux.kill_server()  # the terminal is gone: SIGHUP
    took = _wait_gone(pid)
    assert took < 1.0, f"pmtui took {took:.2f}s to exit after SIGHUP"
    recovery = find_recovery(path)
    assert recovery is not None
    offer = _restore_and_save(path, env, terminal(120, 40))
    assert "line(s)" in offer and "added, 0 removed" in offer
    kept = len(store.load(path).pm.timeline) - original
    assert kept == made
    print(f"dropped terminal: edits kept {kept} / edits made {made}; exit after SIGHUP {took * 1000:.0f} ms")


def test_sigterm_flushes_and_exits_within_a_second(setup):
    path, env, tmux, terminal = setup
    original = len(store.load(path).pm.timeline)
    pid = tmux.start([sys.executable, "-m", "pmtui", str(path)], env)
    tmux.wait_for("Overview")
    made = _make_edits(tmux)
    os.kill(pid, signal.SIGTERM)
    took = _wait_gone(pid)
    assert took < 1.0, f"pmtui took {took:.2f}s to exit after SIGTERM"
    tmux.kill_server()
    _restore_and_save(path, env, terminal(120, 40))
    kept = len(store.load(path).pm.timeline) - original
    assert kept == made == EDITS
    print(f"SIGTERM: edits kept {kept} / edits made {made}; exit after SIGTERM {took * 1000:.0f} ms")
