"""One-line TOML values beyond a basic string and an offset datetime, for
the fast [[timeline]] reader (store.scan): booleans, integers, floats,
literal strings, local dates and times, and flat arrays and inline tables
of those.

A row holding one (a key flag, an evidence list, or a value of the wrong
type in a file with 20,000 such rows) was left to tomllib and the general
lexer: ~0.5 s for 20,000 rows before the validator could say what was
wrong with them. The patterns mirror tomllib's own (Lib/tomllib/_re.py)
and `decode` builds what tomllib builds; anything else (a nested array, a
dotted key in an inline table, a multi-line string) is not matched and the
row goes to tomllib as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

_DEC = r"(?:0|[1-9](?:_?[0-9])*)"
_EXP = r"(?:[eE][+-]?[0-9](?:_?[0-9])*)"
_INT = r"(?:0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|0o[0-7](?:_?[0-7])*|0b[01](?:_?[01])*|[+-]?" + _DEC + ")"
_FLOAT = r"(?:[+-]?(?:" + _DEC + r"(?:\.[0-9](?:_?[0-9])*" + _EXP + "?|" + _EXP + r")|inf|nan))"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
_DATE = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_WHEN = r"(?:" + _DATE + r"(?:[Tt ]" + _TIME + _OFFSET + "?)?|" + _TIME + ")"
_LITERAL = r"'[^'\x00-\x08\x0a-\x1f\x7f]*'"
_BASIC_BODY = (
    r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
    r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})[^"\\\x00-\x08\x0a-\x1f\x7f]*)*'
)
_SCALAR = r'(?:"' + _BASIC_BODY + '"|' + _LITERAL + r"|true|false|" + _WHEN + "|" + _FLOAT + "|" + _INT + ")"
_BARE = r"[A-Za-z0-9_-]+"
_ARRAY = r"\[[ \t]*(?:" + _SCALAR + r"[ \t]*(?:,[ \t]*" + _SCALAR + r"[ \t]*)*(?:,[ \t]*)?)?\]"
_PAIR = _BARE + r"[ \t]*=[ \t]*" + _SCALAR
_TABLE = r"\{[ \t]*(?:" + _PAIR + r"[ \t]*(?:,[ \t]*" + _PAIR + r"[ \t]*)*)?\}"

# A value of those shapes, as a regex with no groups of its own (the fast
# reader's line pattern numbers its groups). Booleans come first: most
# rows that get here hold `key = true`.
VALUE = r"(?:true|false|" + _ARRAY + "|" + _TABLE + "|" + _LITERAL + "|" + _WHEN + "|" + _FLOAT + "|" + _INT + ")"

_ITEM = re.compile(r"[ \t]*(" + _SCALAR + r")[ \t]*(?:,|\Z)")
_ITEM_PAIR = re.compile(r"[ \t]*(" + _BARE + r")[ \t]*=[ \t]*(" + _SCALAR + r")[ \t]*(?:,|\Z)")
_INT_RE = re.compile(_INT)
_FLOAT_RE = re.compile(_FLOAT)
_WHEN_RE = re.compile(_WHEN)


def decode(raw: str, unescape: Callable[[str], str]) -> object:
    """The value of `raw`, which matched VALUE, as tomllib gives it.
    ValueError for what tomllib refuses though it matched (2025-02-30, a
    duplicate key); `unescape` decodes a basic string's body."""
    first = raw[0]
    if first == "[":
        return [_scalar(m, unescape) for m in _items(_ITEM, raw[1:-1])]
    if first == "{":
        table: dict[str, object] = {}
        for key, value in _items(_ITEM_PAIR, raw[1:-1], pairs=True):
            if key in table:
                raise ValueError(f"duplicate key {key!r}")
            table[key] = _scalar(value, unescape)
        return table
    return _scalar(raw, unescape)


def _items(pattern: re.Pattern[str], body: str, *, pairs: bool = False) -> list[Any]:
    out: list[Any] = []  # strings, or (key, value) pairs
    pos, n = 0, len(body)
    while body[pos:].strip(" \t"):
        m = pattern.match(body, pos)
        if m is None:
            raise ValueError(body)
        out.append(m.groups() if pairs else m.group(1))
        pos = m.end()
        if pos >= n:
            break
    return out


def _scalar(raw: str, unescape: Callable[[str], str]) -> object:
    first = raw[0]
    if first == '"':
        return unescape(raw[1:-1])
    if first == "'":
        return raw[1:-1]
    if raw == "true":
        return True
    if raw == "false":
        return False
    if _WHEN_RE.fullmatch(raw):
        return _when(raw)
    if _FLOAT_RE.fullmatch(raw):
        return float(raw.replace("_", ""))
    if _INT_RE.fullmatch(raw):
        return int(raw, 0) if raw[:2] in ("0x", "0o", "0b") else int(raw.replace("_", ""))
    raise ValueError(raw)


def _when(raw: str) -> object:
    """A date, a time, or a local or offset datetime; fractions past
    microseconds are cut, as tomllib cuts them."""
    if len(raw) == 10:
        return date.fromisoformat(raw)
    if raw[2] == ":":
        return time.fromisoformat(_cut(raw))
    text = raw[:10] + "T" + raw[11:]
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(_cut(text))


def _cut(raw: str) -> str:
    dot = raw.find(".")
    if dot == -1:
        return raw
    end = dot + 1
    while end < len(raw) and raw[end].isdigit():
        end += 1
    return raw[:dot] + raw[dot:end][:7] + raw[end:]
