"""The recovery journal: written whole, keyed by path, offered back when it
differs from the file, cleared on save."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from pmtui.filesafety import journal as jmod
from pmtui.filesafety.disk import sha256_bytes
from pmtui.filesafety.journal import Journal, JournalWriter, find_recovery

ORIGINAL = 'schema = 1\nid = "PM-1"\ntitle = "DB pool exhausted"\n'
EDITED = 'schema = 1\nid = "PM-1"\ntitle = "Database pool exhausted"\nsummary = "pool too small"\n'


@pytest.fixture()
def pm_file(tmp_path: Path) -> Path:
    p = tmp_path / "work" / "incident.toml"
    p.parent.mkdir()
    p.write_text(ORIGINAL)
    return p


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return tmp_path / "state"


def test_journal_honours_xdg_state_home(tmp_path, pm_file, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    j = Journal(pm_file)
    j.write(EDITED)
    assert j.file.is_relative_to(tmp_path / "xdg")
    assert j.file.exists()
    rec = find_recovery(pm_file)
    assert rec is not None and rec.text == EDITED


def test_entry_holds_text_path_sha_and_time(pm_file, root):
    sha = sha256_bytes(pm_file.read_bytes())
    j = Journal(pm_file, opened_sha256=sha, root=root)
    before = time.time()
    assert j.write(EDITED)
    head, text = j.file.read_text().split("\n", 1)  # a line of JSON, then the text as it is
    data = json.loads(head)
    assert text == EDITED and "text" not in data
    assert data["format"] == 2
    assert data["path"] == str(pm_file.resolve())
    assert data["opened_sha256"] == sha
    assert data["pid"] == os.getpid()
    written = data["written"]
    assert written.endswith("Z")
    from datetime import datetime

    stamp = datetime.fromisoformat(written.replace("Z", "+00:00")).timestamp()
    assert before - 1 <= stamp <= time.time() + 1


def test_journal_is_private_and_left_without_temp_files(pm_file, root):
    j = Journal(pm_file, root=root)
    for i in range(20):
        j.write(EDITED + f"# {i}\n")
    assert stat.S_IMODE(j.file.stat().st_mode) == 0o600
    assert stat.S_IMODE(j.file.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in j.file.parent.iterdir()) == [j.file.name]


def test_same_name_in_two_folders_gets_two_journals(tmp_path, root):
    a = tmp_path / "a" / "pm.toml"
    b = tmp_path / "b" / "pm.toml"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text(ORIGINAL)
    Journal(a, root=root).write(EDITED)
    assert find_recovery(b, root=root) is None
    assert find_recovery(a, root=root).text == EDITED


def test_relative_and_absolute_paths_share_a_journal(pm_file, root, monkeypatch):
    monkeypatch.chdir(pm_file.parent)
    Journal("incident.toml", root=root).write(EDITED)
    assert find_recovery(pm_file, root=root).text == EDITED


def test_recovery_offers_diff_of_what_differs(pm_file, root):
    Journal(pm_file, opened_sha256=sha256_bytes(pm_file.read_bytes()), root=root).write(EDITED)
    rec = find_recovery(pm_file, root=root)
    assert rec is not None
    diff = rec.diff()
    assert '-title = "DB pool exhausted"' in diff
    assert '+title = "Database pool exhausted"' in diff
    assert '+summary = "pool too small"' in diff
    assert "(on disk)" in diff and "(recovered," in diff
    assert rec.changed_lines() == (2, 1)
    assert not rec.file_changed_since


def test_journal_equal_to_file_is_no_recovery_and_is_removed(pm_file, root):
    j = Journal(pm_file, root=root)
    j.write(ORIGINAL)
    assert find_recovery(pm_file, root=root) is None
    assert not j.exists


def test_file_changed_after_session_started_is_flagged(pm_file, root):
    Journal(pm_file, opened_sha256=sha256_bytes(pm_file.read_bytes()), root=root).write(EDITED)
    pm_file.write_text(ORIGINAL + 'severity = "SEV2"\n')  # a git pull after the crash
    rec = find_recovery(pm_file, root=root)
    assert rec is not None and rec.file_changed_since


def test_recovery_for_a_file_deleted_since(pm_file, root):
    Journal(pm_file, root=root).write(EDITED)
    pm_file.unlink()
    rec = find_recovery(pm_file, root=root)
    assert rec is not None and rec.disk_text is None
    assert "(missing)" in rec.diff()


def test_discard_clears(pm_file, root):
    Journal(pm_file, root=root).write(EDITED)
    find_recovery(pm_file, root=root).discard()
    assert find_recovery(pm_file, root=root) is None
    assert pm_file.read_text() == ORIGINAL


def test_keep_both_writes_a_sibling_and_leaves_the_original(pm_file, root):
    Journal(pm_file, root=root).write(EDITED)
    rec = find_recovery(pm_file, root=root)
    first = rec.keep_both()
    assert first.parent == pm_file.parent
    assert first.name.startswith("incident.recovered-") and first.suffix == ".toml"
    assert first.read_text() == EDITED
    assert pm_file.read_text() == ORIGINAL
    assert find_recovery(pm_file, root=root) is None
    # A second keep-both in the same second never overwrites the first copy.
    Journal(pm_file, root=root).write(EDITED + "# again\n")
    second = find_recovery(pm_file, root=root).keep_both()
    assert second != first and first.read_text() == EDITED
    assert second.read_text() == EDITED + "# again\n"


def test_unreadable_or_foreign_journal_is_not_offered(pm_file, root):
    j = Journal(pm_file, root=root)
    j.write(EDITED)
    j.file.write_text("{not json")
    assert find_recovery(pm_file, root=root) is None
    j.file.write_text(json.dumps({"format": 99, "path": "x", "text": "y"}))
    assert find_recovery(pm_file, root=root) is None


def test_a_journal_left_by_an_older_pmtui_is_still_offered(pm_file, root):
    # Format 1: the text inside the JSON (a crash before an upgrade).
    j = Journal(pm_file, root=root)
    j.file.parent.mkdir(parents=True, exist_ok=True)
    j.file.write_text(json.dumps({"format": 1, "path": j.path, "opened_sha256": "", "written": "2026-12-07T06:00:00Z",
                                  "pid": 1, "host": "h", "base": "", "bom": False, "text": EDITED}))
    rec = find_recovery(pm_file, root=root)
    assert rec is not None and rec.text == EDITED
    j.file.write_text(json.dumps({"format": 1, "path": j.path, "text": EDITED}) + "\n" + "trailing")
    assert find_recovery(pm_file, root=root) is None  # neither format: not offered


def test_text_with_any_character_round_trips(pm_file, root):
    odd = 'title = "\u202e\x1b]52;c;aGk=\x07 \ud800 \u0000 ok"\n'
    Journal(pm_file, root=root).write(odd)
    assert find_recovery(pm_file, root=root).text == odd


def test_writer_coalesces_changes_and_clears_on_save(pm_file, root):
    state = {"text": ORIGINAL}
    calls = []

    def serialize() -> str:
        calls.append(1)
        return state["text"]

    w = JournalWriter(Journal(pm_file, root=root), serialize)
    assert w.flush() is False and calls == []  # nothing changed: no work
    for i in range(50):
        state["text"] = EDITED + f"# {i}\n"
        w.changed()
    assert w.flush() is True
    assert len(calls) == 1 and w.writes == 1
    assert find_recovery(pm_file, root=root).text == EDITED + "# 49\n"
    assert w.flush() is False
    w.saved()
    assert find_recovery(pm_file, root=root) is None
    assert not w.journal.exists


def test_writer_spaces_flushes_when_serializing_is_slow(pm_file, root, monkeypatch):
    clock = {"t": 100.0}
    monkeypatch.setattr(jmod.time, "monotonic", lambda: clock["t"])

    def slow() -> str:
        clock["t"] += 0.2  # a huge post-mortem: 200 ms to serialize
        return EDITED + str(clock["t"])

    w = JournalWriter(Journal(pm_file, root=root), slow)
    w.changed()
    assert w.flush()
    w.changed()
    assert not w.flush()  # within 3x the last cost: wait
    assert w.flush(force=True)  # a signal handler cannot wait
    clock["t"] += 1.0
    w.changed()
    assert w.flush()


def test_background_writer_writes_newest_off_thread_and_save_drops_pending(pm_file, root, monkeypatch):
    import threading

    state = {"text": EDITED}
    w = JournalWriter(Journal(pm_file, root=root), lambda: state["text"], background=True)
    writers: list[str] = []
    gate = threading.Event()
    real_write = Journal.write

    def slow_write(self, text):
        writers.append(threading.current_thread().name)
        gate.wait(5)  # a slow disk: hold the writer thread
        return real_write(self, text)

    monkeypatch.setattr(Journal, "write", slow_write)
    w.changed()
    assert w.flush() is True  # handed over: returns before the disk write
    assert not w.journal.exists
    for i in range(3):  # while the first is being written, newer texts arrive
        w._skip_until = 0.0  # past the flush spacing (3x the last cost), without a race against the clock
        state["text"] = EDITED + f"# {i}\n"
        w.changed()
        assert w.flush()
    gate.set()
    assert w.wait()
    assert writers and all(name == "pmtui-journal" for name in writers)
    assert find_recovery(pm_file, root=root).text == EDITED + "# 2\n"  # the newest won
    assert len(writers) <= 3  # the middle one was skipped, never written after the newest

    gate.clear()
    state["text"] = EDITED + "# late\n"
    w.changed()
    w.flush()  # held by the slow disk...
    w.saved()  # ...and the save lands: nothing written later may bring the journal back
    gate.set()
    assert w.wait()
    assert not w.journal.exists

    # A signal: what is still waiting for the thread is written before flush returns.
    monkeypatch.setattr(JournalWriter, "_start_thread", lambda self: None)  # the thread never runs
    w = JournalWriter(Journal(pm_file, root=root), lambda: state["text"], background=True)
    state["text"] = EDITED + "# hang-up\n"
    w.changed()
    w.flush()
    assert not w.journal.exists
    assert w.flush(force=True) is True
    assert find_recovery(pm_file, root=root).text == EDITED + "# hang-up\n"


def test_background_write_failure_is_reported_once_asked(pm_file, root, monkeypatch):
    w = JournalWriter(Journal(pm_file, root=root), lambda: EDITED, background=True)

    def full_disk(self, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Journal, "write", full_disk)
    w.changed()
    w.flush()
    assert w.wait()
    error = w.take_error()
    assert isinstance(error, OSError) and error.errno == 28
    assert w.take_error() is None


def test_writer_waits_for_a_lull_but_never_past_its_bound(pm_file, root, monkeypatch):
    """The app's writer serializes on the UI thread: during a burst of
    edits it waits for a lull, but an edit is journaled within max_delay."""
    import pmtui.filesafety.journal as journal_mod

    clock = [1000.0]
    monkeypatch.setattr(journal_mod.time, "monotonic", lambda: clock[0])
    j = Journal(pm_file, root=root)
    texts = iter(EDITED + f"# {i}\n" for i in range(100))
    w = JournalWriter(j, lambda: next(texts), idle=0.25, max_delay=0.9)
    w.changed()
    assert not w.flush() and w.writes == 0  # an edit just now: wait
    clock[0] += 0.3
    assert w.flush() and w.writes == 1  # a quarter second of quiet: written
    # A burst: an edit every 0.1 s never leaves a lull...
    for _ in range(8):
        w.changed()
        clock[0] += 0.1
        w.flush()
    assert w.writes == 1
    # ...until the first pending edit has waited max_delay.
    w.changed()
    clock[0] += 0.1
    assert w.flush() and w.writes == 2
    assert w.flush(force=True) is False  # nothing pending
    w.changed()
    assert w.flush(force=True)  # a signal writes at once, lull or not
