"""Reading many files fast, for the library: bytes -> PostMortem with the
same validation as `read.load`, at a fraction of its cost.

The library reads thousands of files, and `load` (tomllib plus the line
scanner) costs ~2.5 ms for a file of 275 events: 25 s for 10,000. Here
the run of [[timeline]] blocks in pmtui's own layout is read with one
regular expression (C speed), the rest of the file with rtoml (Rust; ~10x
tomllib), and the model is built by the store's own `validate.build`.
Anything outside that layout (hand-edited rows, comments or unknown keys
inside the timeline, CRLF, escapes other than TOML's) and every file with
a problem go through `read.loads`, so errors read exactly as the editor's
and nothing is accepted that the editor would refuse. Measured in
benchmarks/bench_library.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pmtui import model as m
from pmtui.store.read import decode, loads
from pmtui.store.scan import scan
from pmtui.store.validate import build

_STR = r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"'  # unrolled: C speed over plain text
_KINDS = "|".join(m.EVENT_KINDS)
# One [[timeline]] block exactly as store.render writes it, and the blank
# line after it; group 1 is the whole block, to check that the blocks tile
# the run with nothing between them.
_BLOCK = re.compile(
    r"(\[\[timeline\]\]\n"
    r"time = (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d))\n"
    rf"event = {_STR}\n"
    rf"(?:source = {_STR}\n)?"
    rf"(?:actor = {_STR}\n)?"
    rf"kind = \"({_KINDS})\"\n"
    r"\n?)"
)
# Where a run of blocks ends: a line starting a comment or another table.
_RUN_END = re.compile(r"\n(?:#|\[(?!\[timeline\]\]\n))")
_ESCAPE = re.compile(r"\\(?:([btnfr\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_EMPTY_INDEX = scan("")


class _Unusual(Exception):
    """The file is not in the layout read here: the full reader decides."""


def _unescape_one(match: re.Match[str]) -> str:
    simple, u4, u8, other = match.groups()
    if simple is not None:
        return _SIMPLE[simple]
    if other is not None:
        raise _Unusual
    code = int(u4 or u8, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _Unusual
    return chr(code)


def _text(raw: str) -> str:
    return _ESCAPE.sub(_unescape_one, raw) if "\\" in raw else raw


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo is UTC else when.astimezone(UTC)


def _split(text: str) -> tuple[str, list[m.TimelineEvent]]:
    """The text without its first run of timeline blocks, and their events.
    One findall over the run and one comprehension: ~0.7 us an event."""
    if text.startswith("[[timeline]]\n"):
        start = 0
    else:
        at = text.find("\n[[timeline]]\n")
        if at < 0:
            return text, []  # rows in another layout, if any, make the rest's parse go the long way
        start = at + 1
    found = _RUN_END.search(text, start)
    end = found.start() + 1 if found else len(text)
    rows = _BLOCK.findall(text, start, end)
    if sum(len(r[0]) for r in rows) != end - start:
        raise _Unusual  # something between or inside the blocks that is not pmtui's layout
    parse, cls = datetime.fromisoformat, m.TimelineEvent
    events = [cls(_utc(parse(t)), _text(e), _text(s), _text(a), k) for _b, t, e, s, a, k in rows]
    return text[:start] + text[end:], events


def read_quick(data: bytes, path: str = "<bytes>") -> m.PostMortem:
    """The post-mortem in `data`, or StoreError (NewerSchemaError) worded
    exactly as `load` words it."""
    import rtoml

    try:
        if b"\r" in data or b"\x00" in data:
            raise _Unusual
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            raise _Unusual
        rest, events = _split(text)
        try:
            decoded = rtoml.loads(rest)
        except Exception:  # rtoml's own error type; the full reader words it
            raise _Unusual from None
        pm, problems = build(decoded, _EMPTY_INDEX)
        if problems or "timeline" in decoded:
            # A problem is worded by the full reader, with its line; a
            # timeline row left in the rest is not in pmtui's layout.
            raise _Unusual
        pm.timeline = events
        return pm
    except (_Unusual, UnicodeDecodeError, ValueError, OverflowError):
        pass
    return loads(decode(data, path), path=path).pm
