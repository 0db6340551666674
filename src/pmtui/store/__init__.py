"""The post-mortem file: TOML text <-> PostMortem. This is the store's face;
callers outside it use only these names.

Rooms: `read` (bytes -> Document, at once or a slice at a time:
tomllib for all but the [[timeline]] rows, which `rowread` reads; `scan`
is the line index and the general reader, `scalar` its values beyond
strings and datetimes), `validate` (decoded TOML -> model, every problem
placed on its line), `syntax` (TOML syntax errors), `quick` (many files
fast, for the library), `document` (the open Document, its versions and its
atomic save), `splice` (re-render only what changed), `render` (a new
file's layout), `schema` (which fields live where).
"""

from __future__ import annotations

from pmtui.store.document import (
    Document,
    FileStamp,
    SaveJob,
    begin_save,
    begin_save_steps,
    dumps,
    end_save,
    new_document,
    save,
    write_save,
)
from pmtui.store.errors import MAX_SHOWN, NewerSchemaError, Problem, StoreError
from pmtui.store.quick import (
    OUTLINE_WINDOW,
    Rest,
    RowsHolding,
    read_outline,
    read_outline_ends,
    read_quick,
    read_quick_layout,
    read_rest,
    rows_holding,
)
from pmtui.store.read import Loading, decode, load, loads, read_model
from pmtui.store.syntax import MAX_SYNTAX_ERRORS
from pmtui.store.validate import AUTH_MODES

__all__ = [
    "AUTH_MODES",
    "MAX_SHOWN",
    "MAX_SYNTAX_ERRORS",
    "OUTLINE_WINDOW",
    "Document",
    "FileStamp",
    "Loading",
    "NewerSchemaError",
    "Problem",
    "Rest",
    "RowsHolding",
    "SaveJob",
    "StoreError",
    "begin_save",
    "begin_save_steps",
    "decode",
    "dumps",
    "end_save",
    "load",
    "loads",
    "new_document",
    "read_model",
    "read_outline",
    "read_outline_ends",
    "read_quick",
    "read_quick_layout",
    "read_rest",
    "rows_holding",
    "save",
    "write_save",
]
