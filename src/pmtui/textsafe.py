"""Make outside text safe to put on a terminal.

Logs, TOML text and API answers can carry escape sequences (ANSI colours,
OSC 52 clipboard writes, title changes), bidi overrides and other control
characters. `printable` maps each to a visible stand-in so nothing reaches
the terminal as a command and nothing is silently hidden. Callers then
wrap the result in `rich.text.Text(...)` — never in markup.
"""

from __future__ import annotations

import re

# C0 controls -> the Unicode "control pictures" block (U+2400..U+241F).
_C0 = {i: chr(0x2400 + i) for i in range(0x20)}
_C0[0x7F] = "\u2421"  # DEL
# Tabs survive as spaces: cells and single-line widgets cannot show a tab.
_TAB = "    "

# Bidi controls and other invisible format characters that can reorder or
# hide text (the "Trojan Source" set, zero-width joiners, BOM).
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff",
}

_UNSAFE_RE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f\x80-\x9f" + "".join(sorted(_INVISIBLE)) + "\t\ud800-\udfff]"
)
_UNSAFE_MULTILINE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f" + "".join(sorted(_INVISIBLE)) + "\t\ud800-\udfff]"
)


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch == "\t":
        return _TAB
    if code < 0x20 or code == 0x7F:
        return _C0[code]
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"  # lone surrogate (from surrogateescape decoding)
    return f"<U+{code:04X}>"


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control, escape and invisible format character made
    visible. Newlines are kept only with `multiline=True`; `\\r` never is."""
    if not text:
        return text
    pattern = _UNSAFE_MULTILINE_RE if multiline else _UNSAFE_RE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_replace, text)


def one_line(text: str, limit: int | None = None) -> str:
    """A single display line: newlines shown as ⏎, optionally cut with …."""
    text = printable(text.replace("\r\n", "\n").replace("\n", "\u23ce "))
    if limit is not None and len(text) > limit:
        return text[: max(0, limit - 1)] + "\u2026"
    return text
