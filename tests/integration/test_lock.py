"""One pmtui per file: a second instance sees the first; stale locks (the
process is gone, or its pid reused) are recognised and replaced."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui.filesafety.lock import FileLock, LockInfo, is_stale, read_lock


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture()
def pm_file(tmp_path: Path) -> Path:
    p = tmp_path / "incident.toml"
    p.write_text("schema = 1\n")
    return p


HOLDER = r"""
import sys, time
from pathlib import Path
from pmtui.filesafety.lock import FileLock
lock = FileLock(sys.argv[1], root=Path(sys.argv[2]))
print("held" if lock.acquire() else "refused", flush=True)
sys.stdin.readline()
lock.release()
"""


def _holder(pm_file: Path, root: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(pm_file), str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_instance_is_told_who_holds_the_file(pm_file, root):
    proc = _holder(pm_file, root)
    try:
        mine = FileLock(pm_file, root=root)
        assert mine.acquire() is False
        assert mine.other is not None
        assert mine.other.pid == proc.pid
        assert mine.other.host == socket.gethostname()
        assert f"pid {proc.pid}" in mine.other.describe()
        assert not mine.held
    finally:
        proc.communicate("\n", timeout=10)
    # The first instance quit cleanly: the lock is free.
    again = FileLock(pm_file, root=root)
    assert again.acquire() is True and again.replaced is None
    again.release()
    assert not again.file.exists()


def test_lock_of_a_killed_process_is_stale_and_replaced(pm_file, root):
    proc = _holder(pm_file, root)
    proc.kill()
    proc.wait()
    mine = FileLock(pm_file, root=root)
    assert mine.acquire() is True
    assert mine.replaced is not None and mine.replaced.pid == proc.pid
    assert read_lock(mine.file).pid == os.getpid()
    mine.release()


def test_reused_pid_is_recognised_by_its_start_time(pm_file, root):
    mine = FileLock(pm_file, root=root)
    # Our own pid, alive, but with a different start time: the process that
    # wrote this lock is gone and its pid went to someone else.
    info = LockInfo(str(pm_file), os.getpid(), socket.gethostname(), "2020-01-01T00:00:00Z", "1")
    assert is_stale(info)
    mine.file.parent.mkdir(parents=True)
    mine.file.write_text(json.dumps(info.__dict__))
    assert mine.acquire() is True and mine.replaced == info


def test_lock_from_another_host_is_never_broken(pm_file, root):
    mine = FileLock(pm_file, root=root)
    info = LockInfo(str(pm_file), 1, "some-other-host.example", "2024-05-01T10:00:00Z", "5")
    mine.file.parent.mkdir(parents=True)
    mine.file.write_text(json.dumps(info.__dict__))
    assert not is_stale(info)
    assert mine.acquire() is False
    assert mine.other.host == "some-other-host.example"
    assert "some-other-host.example" in mine.other.describe()


def test_garbled_lock_file_counts_as_stale(pm_file, root):
    mine = FileLock(pm_file, root=root)
    mine.file.parent.mkdir(parents=True)
    mine.file.write_bytes(b"\x00\xff garbage")
    assert mine.acquire() is True
    assert read_lock(mine.file).pid == os.getpid()


def test_take_over_then_the_old_holder_leaves_our_lock_alone(pm_file, root):
    proc = _holder(pm_file, root)
    try:
        mine = FileLock(pm_file, root=root)
        assert not mine.acquire()
        mine.take_over()
        assert read_lock(mine.file).pid == os.getpid()
    finally:
        proc.communicate("\n", timeout=10)  # the old holder releases on quit
    assert read_lock(mine.file).pid == os.getpid()
    mine.release()
    assert read_lock(mine.file) is None


def test_two_files_two_locks(tmp_path, root):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    la, lb = FileLock(a, root=root), FileLock(b, root=root)
    assert la.acquire() and lb.acquire()
    assert la.file != lb.file


def test_lock_honours_xdg_state_home(pm_file, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    with FileLock(pm_file) as lock:
        assert lock.held and lock.file.is_relative_to(tmp_path / "xdg")
    assert not lock.file.exists()
