"""Editable fields hold the user's text as it is, but must not send it to
the terminal raw: a title pasted from a log can carry escape sequences.
`VISIBLE_CONTROLS` is a highlighter for Input (and `SafeTextArea` the
TextArea) that swaps each control or
invisible character for a one-cell stand-in at render time, so the value
stays untouched and the cursor stays aligned."""

from __future__ import annotations

import re

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import TextArea

# Tabs are left to the widgets, which expand them to spaces.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␛ ␇ ␀ ...
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


class VisibleControls(Highlighter):
    def highlight(self, text: Text) -> None:
        plain = text.plain
        if _UNSAFE.search(plain):
            text.plain = _UNSAFE.sub(_stand_in, plain)


VISIBLE_CONTROLS = VisibleControls()


class SafeTextArea(TextArea):
    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        VISIBLE_CONTROLS.highlight(line)
        return line
