"""Reading: the file's bytes -> a Document. tomllib plus the fast
[[timeline]] reader (store.scan); never tomlkit, so opening a 10,000-event
file stays well under half a second."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

from pmtui.store.document import Document, FileStamp
from pmtui.store.errors import NewerSchemaError, Problem, StoreError
from pmtui.store.scan import ARRAY, Index, scan
from pmtui.store.syntax import syntax_problems
from pmtui.store.validate import build


def load(path: str | os.PathLike) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
        st = p.stat()
    except OSError as exc:
        raise StoreError(p, [Problem(0, 0, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    stamp = FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    doc = loads(decode(data, p), path=p)
    doc.stamp = stamp
    return doc


def decode(data: bytes, path: str | os.PathLike) -> str:
    """The file's bytes as text, or StoreError placing the first byte that
    makes it binary or not UTF-8."""
    if b"\x00" in data:
        at = data.index(b"\x00")
        line, col = _byte_place(data, at)
        raise StoreError(
            path, [Problem(line, col, "", "this is a binary file (it contains NUL bytes), not a TOML post-mortem")]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_place(data, exc.start)
        raise StoreError(
            path,
            [Problem(line, col, "",
                     f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); save it as UTF-8")],
        ) from None


def _byte_place(data: bytes, at: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    return line, len(data[start:at].decode("utf-8", "replace")) + 1


def loads(text: str, path: str | os.PathLike = "<string>") -> Document:
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    try:
        return _loads(text, path, bom)
    except RecursionError:
        # tomllib recurses once per nesting level: arrays or inline tables
        # nested hundreds deep are refused with the line where it starts.
        line = _too_deep(text)
        message = (f"arrays or inline tables nested more than {MAX_NESTING} deep; "
                   "a post-mortem needs two or three levels")
        raise StoreError(path, [Problem(line, 1 if line else 0, "", message)]) from None


MAX_NESTING = 64


def _too_deep(text: str) -> int:
    """The line where brackets first nest past MAX_NESTING (strings and
    comments skipped, roughly: enough to point at the place)."""
    depth, line, quote = 0, 1, ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            if quote in ('"', "'"):
                quote = ""
        elif quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return 0


def _loads(text: str, path: str | os.PathLike, bom: bool) -> Document:
    index = scan(text)
    data = None
    if index.ok:
        data = _parse_with_index(index)
    if data is None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise StoreError(path, syntax_problems(text, str(exc))) from None
        if not index.ok:
            index = scan(text, fast=False)
    more = [0]
    pm, problems = build(data, index, more)
    _drop_fast(index)  # the decoded rows live on in the model; the index needs only places
    if problems:
        cls = NewerSchemaError if problems[0].message.startswith("file uses schema") else StoreError
        raise cls(path, problems, more=more[0])
    file_path = None if str(path) == "<string>" else path
    return Document(file_path, pm, text, bom=bom, index=index)


def _drop_fast(index: Index) -> None:
    for seg in index.segments:
        seg.fast = None


def _parse_with_index(index: Index) -> dict | None:
    """tomllib on the text without the fast-read [[timeline]] blocks, then
    the rows merged back in file order. None when the layout needs the
    whole-file parse (which also words any error with the right line)."""
    segs = index.segments
    if not any(s.fast is not None for s in segs):
        return None
    if any(s.name[:1] == ("timeline",) and s.name != ("timeline",) for s in segs) or any(
        p[0] == "timeline" for p in segs[0].entries
    ):
        return None
    lines = index.lines
    # Runs of fast blocks are cut out whole: only blank lines and comments
    # lie between two of them, and each run ends at a header or the end.
    kept: list[str] = []
    pos = 0
    k = 0
    n = len(segs)
    while k < n:
        if segs[k].fast is None:
            k += 1
            continue
        first = segs[k]
        while k + 1 < n and segs[k + 1].fast is not None:
            k += 1
        kept.extend(lines[pos : first.header])
        pos = segs[k].core_end
        k += 1
    kept.extend(lines[pos:])
    try:
        data = tomllib.loads("\n".join(kept))
    except tomllib.TOMLDecodeError:
        return None
    slow = data.get("timeline", [])
    arrays = [s for s in segs if s.kind == ARRAY and s.name == ("timeline",)]
    n_fast = sum(1 for s in arrays if s.fast is not None)
    if not isinstance(slow, list) or len(slow) != len(arrays) - n_fast:
        return None
    it = iter(slow)
    data["timeline"] = [s.fast if s.fast is not None else next(it) for s in arrays]
    return data
