"""Issue 16, findings 6 and 7 (state folder on a full disk): every command
that writes a post-mortem takes the app's lock and does its conflict check.
`pmtui collect` once overwrote edits made while its 30 s collection ran."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pmtui import store
from pmtui.filesafety.lock import FileLock
from pmtui.model import PostMortem


def _pm_file(tmp_path: Path) -> Path:
    pm = PostMortem(id="PM-2025-016", title="Before")
    pm.times.started = datetime(2025, 2, 9, 10, 5, tzinfo=UTC)
    path = tmp_path / "inc.toml"
    store.save(store.new_document(pm, path))
    return path


def _collect(path: Path, url: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pmtui", "collect", str(path), "--prometheus", url, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def test_edits_made_while_collect_runs_are_kept(tmp_path, hostile_server):
    server = hostile_server.start("drip", interval=0.5, max_seconds=20)
    path = _pm_file(tmp_path)
    proc = _collect(path, server.url, "--request-deadline", "3")
    time.sleep(1.5)  # collect is waiting on the server
    doc = store.load(path)
    doc.pm.title = "Edited while collecting"
    store.save(doc)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err  # its only source failed (issue 13: exit 1 when every source failed)
    assert "changed while collecting" in err
    after = store.load(path).pm
    assert after.title == "Edited while collecting"  # the edit survived
    assert any("deadline" in g.description for g in after.gaps)  # and the collection landed
    assert path.with_name("inc.toml.bak").exists()


def test_collect_refuses_a_file_open_in_the_app(tmp_path, hostile_server):
    server = hostile_server.start("garbage")
    path = _pm_file(tmp_path)
    lock = FileLock(path)
    assert lock.acquire()  # this test process stands for the app
    try:
        proc = _collect(path, server.url)
        _out, err = proc.communicate(timeout=30)
    finally:
        lock.release()
    assert proc.returncode == 2
    assert err.count("\n") == 1 and "is open in pmtui" in err
    assert server.seen == []  # refused before collecting anything
    assert store.load(path).pm.gaps == []


@pytest.fixture
def full_state_dir(tmp_path):
    """A state folder on a full filesystem (a 64 KiB tmpfs, filled)."""
    mount = tmp_path / "state"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount / "pmtui" / "locks").mkdir(parents=True)
        with contextlib.suppress(OSError), open(mount / "filler", "wb", buffering=0) as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_state_folder_is_a_warning_not_a_crash(tmp_path, hostile_server, full_state_dir):
    server = hostile_server.start("garbage")
    path = _pm_file(tmp_path)
    lock = FileLock(path, root=full_state_dir / "pmtui")
    assert lock.acquire() is False and lock.other is None
    assert lock.error is not None and "No space left" in lock.error
    proc = _collect(path, server.url, env={"XDG_STATE_HOME": str(full_state_dir)})
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err  # its only source failed: exit 1, the gaps said
    assert "Traceback" not in err and "goes on without it" in err
    assert "did not answer JSON" in out
