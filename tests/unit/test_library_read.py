"""The library's reading: the store's quick reader agrees with the full one
on every layout (or defers to it), the walk honours .gitignore as git
does, and the cache is never trusted over the file."""

from __future__ import annotations

import importlib
import os
import random
import time
from pathlib import Path

import pytest

from pmtui import store
from pmtui.library import cache, scan
from pmtui.library.walk import find
from pmtui.sample import many_events, sample_postmortem
from pmtui.sample_library import add_bad_files, make_library, make_pm

scan_mod = importlib.import_module("pmtui.library.scan")


def _both(text: str):
    try:
        full = store.loads(text, path="pm.toml").pm
    except store.StoreError as exc:
        full = ("error", str(exc))
    try:
        quick = store.read_quick(text.encode("utf-8"), "pm.toml")
    except store.StoreError as exc:
        quick = ("error", str(exc))
    return full, quick


def _variants(hand_written: str) -> list[str]:
    base = store.dumps(store.new_document(make_pm(1, random.Random(3), 60), None))
    tl = base.index("[[timeline]]\ntime")
    return [
        base,
        hand_written,
        store.dumps(store.new_document(sample_postmortem(), None)),
        store.dumps(store.new_document(many_events(300), None)),  # escapes, quotes, non-ASCII in every row
        store.dumps(store.new_document(many_events(0), None)),
        base.replace("\n", "\r\n"),
        "\ufeff" + base,
        base[:tl] + "# a comment among the rows\n" + base[tl:],
        base.replace('kind = "symptom"\n', 'kind = "symptom"\nticket = "PD-1"\n', 1),  # unknown key in a row
        base.replace('kind = "symptom"\n', 'kind = "sypmtom"\n', 1),  # bad kind: refused with its line
        base.replace("Z\nevent", "+02:00\nevent", 3),  # offsets converted to UTC
        base.replace("Z\nevent", "\nevent", 1),  # a local time: refused
        base.replace('event = "', 'event = "\\u00e9\\t\\"', 2),
        base.replace('event = "', 'event = "\\q', 1),  # not a TOML escape
        base + "\n[[timeline]]\ntime = 2025-02-09T10:00:00Z\nevent = \"late row\"\n",  # rows after other tables
        base.replace("schema = 1", "schema = 2"),
        base.replace('[[actions]]\nid = "AI-001"', '[[actions]]\nid = "AI-1"', 1),
        base.replace('id = "W2"', 'id = "W1"', 1),  # duplicate why id
        base.replace("[times]", "[times]\n[times]"),  # syntax: table twice
    ]


@pytest.mark.parametrize("index", range(19))
def test_quick_reader_agrees_with_the_full_reader(index, hand_written):
    full, quick = _both(_variants(hand_written)[index])
    assert quick == full


@pytest.mark.parametrize("index", range(19))
def test_outline_is_the_whole_read_but_the_timeline(index, hand_written):
    """The outline (the rows cut out unread) gives the full reader's model
    without its timeline and the right row count, or None (the caller then
    reads the file whole). Only a problem inside the rows can get past it,
    for the whole read to find."""
    text = _variants(hand_written)[index]
    full, _quick = _both(text)
    outline = store.read_outline(text.encode("utf-8"))
    if outline is None:
        return
    pm, rows = outline
    if isinstance(full, tuple):
        assert "timeline[" in full[1]
        return
    assert rows == len(full.timeline)
    full.timeline = []
    assert pm == full


def test_outline_of_the_generated_library_and_what_it_refuses(tmp_path):
    paths = make_library(tmp_path, 6, events=(50, 120))
    for path in paths:
        data = path.read_bytes()
        pm, rows = store.read_outline(data)
        whole = store.read_quick(data, str(path))
        assert rows == len(whole.timeline) and pm.actions == whole.actions and pm.times == whole.times
    data = paths[0].read_bytes()
    assert store.read_outline(data.replace(b"[[timeline]]", b"[[time-line]]")) is None  # no run of rows
    assert store.read_outline(data.replace(b'severity = "', b'severity = 3 #"', 1)) is None  # a problem
    assert store.read_outline(data.replace(b"\n", b"\r\n")) is None
    assert store.read_outline(b"\xef\xbb\xbf" + data) is None


def test_quick_reader_on_bytes_that_are_not_text():
    with pytest.raises(store.StoreError) as info:
        store.read_quick(b"title = \"x\"\n\x00", "pm.toml")
    assert "binary file" in str(info.value)
    with pytest.raises(store.StoreError) as info:
        store.read_quick(b"title = \"\xff\"\n", "pm.toml")
    assert "not UTF-8" in str(info.value) and "0xff" in str(info.value)


def test_related_ids_round_trip_byte_for_byte_and_edit_one_line(hand_written):
    line = 'related = ["PM-2024-11-02",   "PM-2025-01-07"]  # same pool\n'
    text = hand_written.replace('authors = ["@alice", "@bob"]\n', 'authors = ["@alice", "@bob"]\n' + line)
    doc = store.loads(text)
    assert doc.pm.related == ["PM-2024-11-02", "PM-2025-01-07"]
    assert store.dumps(doc) == text
    doc.pm.related.append("PM-2025-02-01")
    out = store.dumps(doc)
    assert out.replace('related = ["PM-2024-11-02", "PM-2025-01-07", "PM-2025-02-01"]  # same pool',
                       'related = ["PM-2024-11-02",   "PM-2025-01-07"]  # same pool') == text
    fresh = store.dumps(store.new_document(doc.pm, None))
    assert store.loads(fresh).pm.related == doc.pm.related
    bad = text.replace('"PM-2025-01-07"]', "7]")
    with pytest.raises(store.StoreError) as info:
        store.loads(bad, path="pm.toml")
    assert "related[1]: expected a string" in str(info.value)


# -- the walk ----------------------------------------------------------------------


def _touch(path: Path, text: str = 'schema = 1\ntitle = "x"\n') -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_walk_honours_gitignore_like_git(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _touch(repo / ".gitignore", "drafts/\n*.tmp.toml\n")
    lib = repo / "postmortems"
    for rel in ("a.toml", "2025/b.toml", "drafts/c.toml", "2025/d.tmp.toml", "2025/keep/e.toml",
                "2025/keep/f.toml", "x.evidence/g.toml", "pyproject.toml", "notes.md",
                "sub/drafts/i.toml", "node_modules/j.toml"):
        _touch(lib / rel)
    _touch(lib / "2025" / ".gitignore", "keep/*\n!keep/e.toml\n")
    found = sorted(f.rel for f in find(lib))
    assert found == ["2025/b.toml", "2025/keep/e.toml", "a.toml"]
    # Rules of folders above the scanned one count (the repository's top).
    assert sorted(f.rel for f in find(lib / "2025")) == ["b.toml", "keep/e.toml"]
    # Without a repository, only the .gitignore files inside the folder count.
    (repo / ".git").rmdir()
    assert "drafts/c.toml" in {f.rel for f in find(lib)}
    # A folder that is itself a repository: its .git is never entered.
    _touch(lib / ".git" / "h.toml")
    assert ".git/h.toml" not in {f.rel for f in find(lib)}


# -- scanning and the cache ---------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("lib")
    make_library(root, 24, events=(50, 80), per_folder=10)
    bad = add_bad_files(root)
    return root, bad


def test_scan_lists_every_file_and_says_why_some_cannot_be_read(library):
    root = library[0]
    result = scan([root], use_cache=False)
    states = {e.rel: e.state for e in result.entries}
    assert len(result.good) == 24 and result.read == 27
    assert states["bad/broken.toml"] == "broken" and states["bad/syntax.toml"] == "broken"
    assert states["bad/newer.toml"] == "newer"
    by = {e.rel: e for e in result.entries}
    assert by["bad/broken.toml"].problem.startswith("5:11: times.started: expected an offset datetime")
    assert "schema 7" in by["bad/newer.toml"].problem
    assert all("/" in e.rel for e in result.good)  # from the subfolders
    s = result.good[0].info
    assert s.events >= 50 and s.alerts and s.signatures and s.checks


def test_warm_scan_reads_nothing_and_gives_the_same_entries(library, monkeypatch):
    root = library[0]
    cold = scan([root])
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written a moment ago
    first = scan([root])
    warm = scan([root])
    assert warm.read == 0 and warm.cached == 27
    assert [(e.rel, e.state, e.summary, e.problem) for e in warm.entries] == \
           [(e.rel, e.state, e.summary, e.problem) for e in first.entries] == \
           [(e.rel, e.state, e.summary, e.problem) for e in cold.entries]


def test_a_change_that_keeps_size_and_mtime_is_still_seen(tmp_path, monkeypatch):
    make_library(tmp_path, 2, events=(50, 50))
    monkeypatch.setattr(cache, "RACY_NS", 0)
    first = scan([tmp_path])
    path = first.good[0].path
    st = path.stat()
    text = path.read_text()
    path.write_text(text.replace("degradation", "degradatiom", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only ctime and content differ
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    again = scan([tmp_path])
    assert again.read == 1
    assert "degradatiom" in next(e for e in again.good if e.path == path).info.title


def test_racy_entries_are_checked_by_hash(tmp_path):
    make_library(tmp_path, 3, events=(50, 50))
    scan([tmp_path])
    again = scan([tmp_path])  # written just now: every entry is racy, so read again
    assert again.read == 3 and again.cached == 0
    assert [e.summary for e in again.entries] == [e.summary for e in scan([tmp_path], use_cache=False).entries]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "foreign"])
def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(tmp_path, monkeypatch, damage):
    make_library(tmp_path, 3, events=(50, 50))
    monkeypatch.setattr(cache, "RACY_NS", 0)
    scan([tmp_path])
    path = cache.cache_path([tmp_path])
    blob = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        path.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    elif damage == "garbage":
        path.write_bytes(os.urandom(300))
    else:
        monkeypatch.setattr(cache, "_signature", lambda: b"another pmtui...")
    result = scan([tmp_path])
    assert result.read == 3 and len(result.good) == 3
    assert cache.load(path)  # rebuilt


def test_a_deleted_file_leaves_the_cache_and_a_new_one_enters(tmp_path, monkeypatch):
    paths = make_library(tmp_path, 3, events=(50, 50))
    monkeypatch.setattr(cache, "RACY_NS", 0)
    scan([tmp_path])
    paths[0].unlink()
    result = scan([tmp_path])
    assert len(result.entries) == 2 and result.read == 0
    assert str(os.path.abspath(paths[0])) not in cache.load(cache.cache_path([tmp_path]))


def test_big_libraries_are_read_by_a_pool_with_the_same_result(tmp_path, monkeypatch):
    import importlib

    scan_mod = importlib.import_module("pmtui.library.scan")
    make_library(tmp_path, 12, events=(50, 60))
    monkeypatch.setattr(scan_mod, "POOL_FROM", 4)
    monkeypatch.setattr(scan_mod, "CHUNK", 5)
    pooled = scan([tmp_path], use_cache=False, workers=2)
    alone = scan([tmp_path], use_cache=False, workers=1)
    key = lambda r: sorted((e.rel, e.state, repr(e.summary)) for e in r.entries)  # noqa: E731
    assert key(pooled) == key(alone) and len(pooled.good) == 12


def test_rows_arrive_while_the_scan_goes_on(tmp_path):
    from pmtui.library import iter_scan

    make_library(tmp_path, 5, events=(50, 50))
    stamps = []
    for _entry in iter_scan([tmp_path], use_cache=False, workers=1):
        stamps.append(time.perf_counter())
    assert len(stamps) == 5 and stamps[0] < stamps[-1]


def _rows(entries):
    return sorted((e.rel, e.state, repr(e.summary), e.problem) for e in entries)


@pytest.fixture
def staged_library(tmp_path):
    make_library(tmp_path, 9, events=(50, 90), per_folder=4)
    add_bad_files(tmp_path)
    # An outline that reads well, rows that do not: listed, then broken.
    good = next(tmp_path.rglob("pm-*.toml"))
    late = tmp_path / "late" / "bad-row.toml"
    late.parent.mkdir()
    text = good.read_text()
    at = text.index("[[timeline]]\ntime = ") + len("[[timeline]]\ntime = ")
    late.write_text(text[:at] + "2024-02-30T10:00:00Z" + text[at + 20:])
    return tmp_path


def test_checks_later_lists_outlines_first_then_each_file_whole(staged_library):
    marks = []
    result = scan_mod.ScanResult()
    seen = []
    for entry in scan_mod.iter_scan([staged_library], use_cache=False, workers=1, result=result, checks_later=True,
                                listed=lambda: marks.append(len(seen))):
        seen.append(entry)
    first, then = seen[: marks[0]], seen[marks[0]:]
    assert marks == [13] and len(first) == 13
    assert sum(e.pending for e in first) == 10 and not any(e.pending for e in then)
    assert sorted(e.rel for e in then) == sorted(e.rel for e in first if e.pending)
    late = next(e for e in first if e.rel == "late/bad-row.toml")
    assert late.ok and late.pending and late.info.title  # listed from its outline...
    last = {e.path: e for e in seen}
    assert last[late.path].state == "broken" and "invalid date or datetime" in last[late.path].problem  # ...refused
    assert _rows(last.values()) == _rows(scan_mod.scan([staged_library], use_cache=False).entries)
    assert result.read == 13 and result.checked == 10


def test_checks_later_by_a_pool_gives_the_same(staged_library, monkeypatch):
    monkeypatch.setattr(scan_mod, "POOL_FROM", 4)
    monkeypatch.setattr(scan_mod, "CHUNK", 3)
    marks = []
    last = {e.path: e for e in scan_mod.iter_scan([staged_library], use_cache=False, workers=2, checks_later=True,
                                              listed=lambda: marks.append(1))}
    assert marks == [1] and not any(e.pending for e in last.values())
    assert _rows(last.values()) == _rows(scan_mod.scan([staged_library], use_cache=False, workers=1).entries)


def test_checks_cut_short_keep_the_listing_in_the_cache(staged_library, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    stop = []
    for entry in scan_mod.iter_scan([staged_library], workers=1, checks_later=True, listed=lambda: stop.append(1),
                                cancelled=lambda: len(stop) > 1):
        if stop:
            stop.append(entry)  # the first whole read in: stop there
    records = cache.load(cache.cache_path([staged_library]))
    assert len(records) == 13 and 1 <= sum(r.pending for r in records.values()) <= 9
    # The next screen lists from the cache at once and checks the rest...
    result = scan_mod.ScanResult()
    again = list(scan_mod.iter_scan([staged_library], workers=1, checks_later=True, result=result))
    assert result.read == 0 and result.cached == 13 and result.checked == sum(r.pending for r in records.values())
    assert _rows({e.path: e for e in again}.values()) == _rows(scan_mod.scan([staged_library], use_cache=False).entries)
    # ...and `pmtui ls` never shows a pending row: it reads those whole.
    cache.save(cache.cache_path([staged_library]), records)
    listed = scan_mod.scan([staged_library])
    assert not any(e.pending for e in listed.entries) and listed.read == sum(r.pending for r in records.values())


def test_plain_pending_reads_the_checklist_slot():
    from pmtui.library import summary

    pm = make_pm(2, random.Random(2), 50)
    whole = summary.to_plain(summary.summarise(pm))
    outline = summary.to_plain(summary.outline_summary(pm, 50))
    assert not summary.plain_pending(whole) and summary.plain_pending(outline)
    assert summary.from_plain(outline).pending and summary.from_plain(outline).events == 50


def test_missing_roots_are_reported(tmp_path):
    result = scan([tmp_path / "nope"])
    assert result.missing_roots == [str(tmp_path / "nope")] and not result.entries


def test_the_report_lists_related_incidents():
    from pmtui import report

    pm = sample_postmortem()
    assert "Related incidents" not in report.render(pm)
    pm.related = ["PM-2024-11-02", "PM-*bold*"]
    assert "**Related incidents**: PM-2024-11-02, PM-\\*bold\\*" in report.render(pm)


def test_big_files_are_outlined_from_their_two_ends(tmp_path):
    """A file of hundreds of rows is listed from its first and last 8 kB
    (the rows between unread, their count to come); the outline is the one
    the whole bytes give, and what either window shows among the rows
    (a comment, rows added after other tables, a first row past the head,
    a last row before the tail) makes the file be read whole instead."""
    window = store.OUTLINE_WINDOW
    paths = make_library(tmp_path, 4, events=(300, 400))
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 2 * window
        pm = store.read_outline_ends(data[:window], data[-window:])
        assert pm is not None and pm == store.read_outline(data)[0]

    def ends(text: str):
        data = text.encode("utf-8")
        return store.read_outline_ends(data[:window], data[-window:])

    text = paths[0].read_text()
    first = text.index("[[timeline]]\ntime")
    last = text.rindex("[[timeline]]\ntime")
    row = text[last : text.index("\n\n", last) + 2]
    second = text.index("[[timeline]]\ntime", first + 1)
    assert ends(text[:second] + "# a comment among the rows\n" + text[second:]) is None
    assert ends(text + "\n" + row) is None  # a row added at the end, after the actions
    assert ends(text.replace('summary = "', 'summary = "' + "x" * window, 1)) is None  # first row past the head
    tail_tables = "".join(f'\n[[actions]]\nid = "AI-{n:03d}"\naction = "{"y" * 60}"\n' for n in range(900, 990))
    assert ends(text + tail_tables) is None  # the last row before the tail window


def test_a_table_deep_among_the_rows_is_found_by_the_whole_read(tmp_path):
    """The blind spot of the two-ends outline: a table a hand put among
    the rows far from both ends. The row listed first misses it; the whole
    read that follows gives what `pmtui ls` gives."""
    path = make_library(tmp_path, 1, events=(400, 400))[0]
    text = path.read_text()
    rows = [i for i in range(len(text)) if text.startswith("[[timeline]]\ntime", i)]
    middle = rows[len(rows) // 2]
    extra = '[[actions]]\nid = "AI-777"\naction = "Hidden among the rows"\nstatus = "open"\n\n'
    path.write_text(text[:middle] + extra + text[middle:])
    seen = list(scan_mod.iter_scan([tmp_path], use_cache=False, workers=1, checks_later=True))
    listed, whole = seen
    assert listed.pending and listed.info.events is None
    assert "AI-777" not in [a.id for a in listed.info.actions]
    assert not whole.pending and whole.info.events == 400 and "AI-777" in [a.id for a in whole.info.actions]
    assert _rows([whole]) == _rows(scan_mod.scan([tmp_path], use_cache=False).entries)
