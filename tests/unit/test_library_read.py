"""The library's reading: the store's quick reader agrees with the full one
on every layout (or defers to it), the walk honours .gitignore as git
does, and the cache is never trusted over the file."""

from __future__ import annotations

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


def test_missing_roots_are_reported(tmp_path):
    result = scan([tmp_path / "nope"])
    assert result.missing_roots == [str(tmp_path / "nope")] and not result.entries


def test_the_report_lists_related_incidents():
    from pmtui import report

    pm = sample_postmortem()
    assert "Related incidents" not in report.render(pm)
    pm.related = ["PM-2024-11-02", "PM-*bold*"]
    assert "**Related incidents**: PM-2024-11-02, PM-\\*bold\\*" in report.render(pm)
