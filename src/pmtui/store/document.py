"""The open document and its save: a Document remembers the text it was
read from, where each field sits and the model's values as loaded, so a
save re-renders only what changed (store.splice) and writes it atomically.
A save travels inside this room: document -> splice -> filesafety.atomic."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pmtui import model as m
from pmtui.filesafety.atomic import refuse_read_only, write_atomic
from pmtui.store.scan import Index, scan
from pmtui.store.schema import ARRAYS, DICTS

if TYPE_CHECKING:
    from pmtui.store.splice import Edit, RowPlan


@dataclass(frozen=True)
class FileStamp:
    """The file as last read or written, to notice changes made by others."""

    mtime_ns: int
    size: int
    sha256: str


class Document:
    """One post-mortem file: `pm` to edit, plus what a minimal save needs."""

    def __init__(self, path: str | os.PathLike[str] | None, pm: m.PostMortem, text: str, *, bom: bool = False,
                 index: Index | None = None, stamp: FileStamp | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.pm = pm
        self.stamp = stamp
        self._text = text
        self._bom = bom
        self._newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or None] else "\n"
        self._index = index  # None: rebuilt from _text when a save needs it
        self._remember()

    def _remember(self) -> None:
        from pmtui.store.splice import flat_fields, snapshot_rows

        self._flat = flat_fields(self.pm)
        self._rows = snapshot_rows(self.pm)
        # Each user-keyed table as loaded (its values frozen), so a save writes only changed keys.
        self._dicts = {path: dict(cast(tuple, self._flat[path])) for path in DICTS}

    def _current_index(self) -> Index:
        if self._index is None:
            self._index = scan(self._text)
        return self._index

    @property
    def text(self) -> str:
        """The text as last read or written (without a byte-order mark)."""
        return self._text

    def place(self, path: tuple) -> tuple[int, int]:
        """1-based (line, column) of the value at `path` (("timeline", 3,
        "event"), ("title",)), or of what holds it; (0, 0) if unknown."""
        from pmtui.store.validate import _locate

        return _locate(self._current_index(), path)

    def dirty(self) -> bool:
        """Whether the model differs from the file as last read or written."""
        return dumps(self) != ("\ufeff" if self._bom else "") + self._text


def new_document(pm: m.PostMortem, path: str | os.PathLike[str] | None) -> Document:
    """A Document for `pm` with a fresh, commented layout (not yet saved)."""
    from pmtui.store.render import fresh_text

    return Document(path, pm, fresh_text(pm))


def dumps(doc: Document) -> str:
    """The file's text for the model as it is now."""
    text, _edits = _render(doc)
    return ("\ufeff" if doc._bom else "") + text


def _render(doc: Document) -> tuple[str, list[Edit] | None]:
    """The text (without a byte-order mark) for the model now, and the line
    edits that turn doc.text into it (None when tomlkit wrote it)."""
    from pmtui.store.splice import Fallback, flat_fields, plan_rows, splice, via_tomlkit

    pm = doc.pm
    now = flat_fields(pm)
    changed = [p for p, v in now.items() if doc._flat.get(p) != v]
    plans: dict[str, RowPlan] = {}
    for name in ARRAYS:
        plan = plan_rows(name, doc._rows[name], getattr(pm, name))
        if plan is not None:
            plans[name] = plan
    if not changed and not plans:
        return doc._text, []
    try:
        return splice(doc._current_index(), doc._newline, pm, changed, plans, doc._dicts)
    except Fallback:
        return via_tomlkit(doc._text, pm, changed, plans), None


def _advance(doc: Document, body: str, edits: list[Edit] | None) -> None:
    """The document now stands for `body`, which `edits` made from its
    text: the line index follows the edits instead of being built again."""
    if body == doc._text:
        # Rows replaced by equal copies wrote nothing, but the next save
        # must match rows by the objects the model holds now.
        doc._remember()
        return
    index = doc._index
    if index is not None and (edits is None or not index.update(edits) or len(index.lines) != body.count("\n") + 1):
        index = None  # the next save scans the text afresh
    doc._text = body
    doc._index = index
    doc._remember()


def save(doc: Document, path: str | os.PathLike[str] | None = None) -> Path:
    """Write atomically: a temporary file in the same folder, flushed and
    fsynced, renamed over the target, then the folder fsynced. The file's
    permission bits are kept."""
    target = Path(path) if path is not None else doc.path
    if target is None:
        raise ValueError("save() needs a path for a document that has none")
    body, edits = _render(doc)
    text = ("\ufeff" if doc._bom else "") + body
    data = text.encode("utf-8")
    real = Path(os.path.realpath(target))
    refuse_read_only(real, target)
    write_atomic(real, data)
    st = real.stat()
    doc.path = target
    doc.stamp = FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    _advance(doc, body, edits)
    return target
