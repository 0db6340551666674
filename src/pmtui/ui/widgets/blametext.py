"""Outside text as rich Text, with blame language marked where it stands.

Every text the Analysis, Actions and Report panes show goes through here:
control characters made visible (textsafe), never parsed as markup, and
the spans `checks.blame_spans` finds styled so the author sees the words
to reword in place.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from rich.text import Text

from pmtui.textsafe import one_line, printable


@lru_cache(maxsize=8192)
def spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each blame phrase in `text` (already printable).
    Cached: tables redraw the same visible cells on every scroll, filter
    keystroke and edit."""
    from pmtui.checks import blame_spans

    out = []
    for start, end, _phrase, _hint in blame_spans(text):
        if 0 <= start < end <= len(text):
            out.append((start, end))
    return tuple(out)


def mark(text: Text, blame: Style | str) -> Text:
    """Style the blame phrases of `text` in place; returns it."""
    for start, end in spans(text.plain):
        text.stylize(blame, start, end)
    return text


def safe(
    value: str, blame: Style | str, *, style: Style | str = "", multiline: bool = False, limit: int | None = None
) -> Text:
    """`value` made printable (one line unless `multiline`), blame marked."""
    shown = printable(value, multiline=True) if multiline else one_line(value, limit)
    return mark(Text(shown, style=style), blame)
