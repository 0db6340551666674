"""store.save proportional to what changed: the encoded pieces a document
keeps between saves (Document.encoded, seeded from the file as read), the
rows the edits name (Document.name_edits / touch) and the stamp hashed when
first asked. Whatever the path, the file holds the bytes a whole render of
the same model gives."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
from pathlib import Path

import pytest
from tests.unit.test_touched_render import _random_edit

from pmtui import store
from pmtui.filesafety import atomic
from pmtui.sample import large_postmortem
from pmtui.session import Change, EditSession
from pmtui.store.document import CHUNK_LINES, TOUCHED_ROWS, Document, _remap_chunks

EVENTS = TOUCHED_ROWS + 300  # over TOUCHED_ROWS: the named rows are compared alone


def _open_named(tmp_path: Path, n: int = EVENTS) -> tuple[Document, Document, EditSession, Path]:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(n), path))
    doc = store.load(path)
    doc.name_edits(unchanged=True)
    ref = Document(path, doc.pm, doc.text)  # rendered whole, comparing every row: the reference
    session = EditSession(doc.pm)

    def heard(change: Change) -> None:
        doc.touch(change.touched)

    session.subscribe(heard)
    return doc, ref, session, path


def test_a_file_read_keeps_its_bytes_as_the_encoded_pieces(tmp_path: Path) -> None:
    doc, _ref, _session, path = _open_named(tmp_path)
    pieces = [c[2] for c in doc._chunks]
    assert len(pieces) > 2 and all(p is not None for p in pieces)  # seeded, not encoded again
    assert b"\n".join(pieces) == path.read_bytes()


@pytest.mark.parametrize("seed", range(4))
def test_named_saves_write_what_a_whole_render_writes(tmp_path: Path, seed: int) -> None:
    doc, ref, session, path = _open_named(tmp_path)
    rng = random.Random(seed)
    for _ in range(25):
        for _ in range(rng.randrange(1, 4)):  # edits, inserts, deletes, undo and redo between saves
            _random_edit(rng, session)
        store.save(doc)
        data = path.read_bytes()
        assert data == store.dumps(ref).encode("utf-8")
        assert doc.stamp is not None and doc.stamp.sha256 == hashlib.sha256(data).hexdigest()
        assert not doc.dirty()
    assert store.load(path).pm == doc.pm


def test_saves_in_steps_and_at_once_share_the_pieces(tmp_path: Path) -> None:
    doc, ref, session, path = _open_named(tmp_path)
    rng = random.Random(11)
    for round_ in range(12):
        _random_edit(rng, session)
        if round_ % 2:
            store.save(doc)
        else:
            steps = store.begin_save_steps(doc)
            try:
                while True:
                    next(steps)
            except StopIteration as done:
                job = done.value
            store.end_save(doc, job, store.write_save(job))
        assert path.read_bytes() == store.dumps(ref).encode("utf-8")


def test_a_document_nobody_vouches_for_compares_every_row(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(EVENTS), path))
    doc = store.load(path)
    doc.render()
    doc.pm.timeline[700].event = "changed with nothing named"  # a CLI command's edit
    store.save(doc)
    assert 'event = "changed with nothing named"' in path.read_text(encoding="utf-8")


def test_name_edits_compares_whole_what_came_before_it(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(EVENTS), path))
    doc = store.load(path)
    doc.pm.timeline[800].actor = "@before"  # before the promise: not named
    doc.name_edits()
    store.save(doc)
    assert 'actor = "@before"' in path.read_text(encoding="utf-8")


def test_a_bom_crlf_and_non_ascii_file_is_seeded_and_saved_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(EVENTS), path))
    text = path.read_text(encoding="utf-8").replace('title = "', 'title = "Ünïcode — ', 1).replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    doc = store.load(path)
    assert doc.bom and all(c[2] is not None for c in doc._chunks)
    ref = Document(path, doc.pm, doc.text, bom=True)
    doc.name_edits(unchanged=True)
    row = doc.pm.timeline[900]
    row.event = "é edited"
    doc.touch([row])
    store.save(doc)
    assert path.read_bytes() == store.dumps(ref).encode("utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()


def test_bytes_that_are_not_the_text_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(300), path))
    doc = store.loads(path.read_text(encoding="utf-8"), path=path)
    data = path.read_bytes()
    # Only load() seeds, with the very bytes it decoded; the check is cheap
    # (the line count, each piece's first and last line), for a reader that
    # would change the text as it reads it.
    for wrong in (data + b"\n", data.replace(b"\n", b"\n# note\n", 1), b"# note\n" + data[data.index(b"\n") + 1 :]):
        doc.seed_encoded(wrong)
        assert all(c[2] is None for c in doc._chunks)
    assert b"\n".join(doc.encoded()) == data


@pytest.mark.parametrize("seed", range(30))
def test_remapped_pieces_are_the_edited_lines(seed: int) -> None:
    rng = random.Random(seed)
    lines = [f"line {k} é" if k % 7 == 0 else f"line {k}" for k in range(rng.randrange(1, 40))]
    cuts = sorted({0, len(lines), *(rng.randrange(len(lines) + 1) for _ in range(rng.randrange(4)))})
    chunks = [[a, b, "\n".join(lines[a:b]).encode()] for a, b in itertools.pairwise(cuts) if b > a]
    edits, at = [], 0
    while at <= len(lines) and rng.random() < 0.8:
        start = rng.randrange(at, len(lines) + 1)
        end = rng.randrange(start, min(len(lines), start + 5) + 1)
        edits.append((start, end, [f"new {rng.random():.3f}" for _ in range(rng.randrange(4))]))
        at = end if end > start else end + 1  # sorted, not overlapping; one may start where one ends
    new = list(lines)
    for start, end, repl in reversed(edits):
        new[start:end] = repl
    if not new:
        return  # a text always has a line; the store never makes an empty one
    out = _remap_chunks(chunks, edits, len(lines), len(new))
    if not out:
        return  # refused (encoded afresh): always correct
    assert out[0][0] == 0 and out[-1][1] == len(new)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(out))
    for piece in out:
        if piece[2] is not None:
            assert piece[2] == "\n".join(new[piece[0] : piece[1]]).encode()
    if not edits:
        assert [p[2] for p in out] == [c[2] for c in chunks]  # nothing edited: every piece kept


def test_chunk_size_keeps_a_save_after_one_edit_small(tmp_path: Path) -> None:
    doc, _ref, _session, _path = _open_named(tmp_path)
    doc.encoded()
    row = doc.pm.timeline[600]
    row.event = "one edit"
    doc.touch([row])
    doc.render()
    dirty = [c for c in doc._chunks if c[2] is None]
    assert len(dirty) == 1 and dirty[0][1] - dirty[0][0] <= 2 * CHUNK_LINES


def test_writev_writes_every_piece_even_when_the_kernel_takes_a_few_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = [f"piece {k}\n".encode() * (k % 5) for k in range(2500)]  # over IOV_MAX, some empty
    real = os.writev

    def short(fd: int, buffers: list[memoryview]) -> int:  # a write cut short, as a signal or a pipe may
        return real(fd, [b for b in buffers if len(b)][:3][:1]) if buffers else 0

    monkeypatch.setattr(os, "writev", short)
    atomic.write_atomic_buffers(tmp_path / "out", pieces)
    assert (tmp_path / "out").read_bytes() == b"".join(pieces)
