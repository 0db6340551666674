"""The post-mortem file: TOML text <-> PostMortem. This is the store's face;
callers outside it use only these names.

Rooms: `read` (bytes -> Document: tomllib plus the fast [[timeline]] reader
in `scan`), `validate` (decoded TOML -> model, every problem placed on its
line), `syntax` (TOML syntax errors), `quick` (many files fast, for the
library), `document` (the open Document and its
atomic save), `splice` (re-render only what changed), `render` (a new
file's layout), `schema` (which fields live where).
"""

from __future__ import annotations

from pmtui.store.document import Document, FileStamp, dumps, new_document, save
from pmtui.store.errors import MAX_SHOWN, NewerSchemaError, Problem, StoreError
from pmtui.store.quick import read_quick
from pmtui.store.read import decode, load, loads
from pmtui.store.syntax import MAX_SYNTAX_ERRORS
from pmtui.store.validate import AUTH_MODES

__all__ = [
    "AUTH_MODES",
    "MAX_SHOWN",
    "MAX_SYNTAX_ERRORS",
    "Document",
    "FileStamp",
    "NewerSchemaError",
    "Problem",
    "StoreError",
    "decode",
    "dumps",
    "load",
    "loads",
    "new_document",
    "read_quick",
    "save",
]
