"""The journal's base and log: after a small edit only the edit is
appended; reading applies the log to the base; a line cut short by a kill,
and lines of an older base, are left out; the log is folded into a new
base once it has grown."""

from __future__ import annotations

from datetime import UTC, datetime

from pmtui import model as m
from pmtui import store
from pmtui.filesafety import journal as jmod
from pmtui.filesafety.journal import Journal, JournalWriter, find_recovery
from pmtui.sample import many_events

T0 = datetime(2025, 2, 9, 10, tzinfo=UTC)


def open_doc(tmp_path, rows: int = 300):
    path = tmp_path / "pm.toml"
    store.save(store.new_document(many_events(rows), path))
    return path, store.load(path)


def test_small_edits_append_to_the_log_and_read_back_whole(tmp_path):
    path, doc = open_doc(tmp_path)
    root = tmp_path / "state"
    w = JournalWriter(Journal(path, root=root), document=lambda: doc)
    doc.pm.timeline[10].event = "first edit"
    w.changed()
    assert w.flush()
    base_size = w.journal.file.stat().st_size
    assert not w.journal.log.exists()  # the first write is a base
    assert find_recovery(path, root=root).text == store.dumps(doc)
    for k in range(5):
        doc.pm.timeline[20 + k].actor = f"@x{k}"
        doc.pm.timeline.insert(50, m.TimelineEvent(T0, f"inserted {k}", kind="action"))
        del doc.pm.timeline[200]
        w.changed()
        w._skip_until = 0.0  # past the flush spacing (3x the last cost), without a race against the clock
        assert w.flush()
        assert w.journal.file.stat().st_size == base_size  # the base is left alone
        assert find_recovery(path, root=root).text == store.dumps(doc)
    assert w.journal.log.stat().st_size < base_size / 10


def test_a_line_cut_short_and_lines_of_an_older_base_are_left_out(tmp_path):
    path, doc = open_doc(tmp_path)
    root = tmp_path / "state"
    w = JournalWriter(Journal(path, root=root), document=lambda: doc)
    doc.pm.title = "one"
    w.changed()
    w.flush()
    doc.pm.title = "two"
    w.changed()
    w._skip_until = 0.0
    w.flush()
    two = store.dumps(doc)
    doc.pm.title = "three"
    w.changed()
    w._skip_until = 0.0
    w.flush()
    log = w.journal.log
    data = log.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    log.write_bytes(data[: last + (len(data) - last) // 2])  # a kill in the middle of the last append
    assert find_recovery(path, root=root).text == two
    # A new base whose log was not emptied yet (a kill right after its rename).
    stale = log.read_bytes()
    w.journal.write_base(store.dumps(doc), "")
    log.write_bytes(stale)
    assert find_recovery(path, root=root).text == store.dumps(doc)


def test_the_log_is_folded_into_a_new_base_once_it_has_grown(tmp_path, monkeypatch):
    monkeypatch.setattr(jmod, "COMPACT_ENTRIES", 3)
    path, doc = open_doc(tmp_path)
    root = tmp_path / "state"
    w = JournalWriter(Journal(path, root=root), document=lambda: doc)
    bases = 0
    for k in range(8):
        doc.pm.timeline[k].event = f"edit {k}"
        w.changed()
        w._skip_until = 0.0
        w.flush()
        if not w.journal.log.exists():
            bases += 1
        assert find_recovery(path, root=root).text == store.dumps(doc)
    assert bases >= 2


def test_background_log_writes_land_in_order_and_a_signal_drains_them(tmp_path):
    path, doc = open_doc(tmp_path, rows=2_000)
    root = tmp_path / "state"
    w = JournalWriter(Journal(path, root=root), document=lambda: doc, background=True)
    for k in range(30):
        doc.pm.timeline[k * 7].event = f"typed {k}"
        w.changed()
        w._skip_until = 0.0
        w.flush()
    w.flush(force=True)  # what a hang-up does: nothing left waiting when it returns
    assert find_recovery(path, root=root).text == store.dumps(doc)
    assert w.wait()
