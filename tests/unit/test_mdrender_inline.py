"""The report preview draws what the Markdown says: an underscore inside a
word is text, as CommonMark reads it (the escaper leaves it unescaped)."""

from __future__ import annotations

from pmtui.markdown import inline as escape
from pmtui.ui.widgets.mdrender import MdStyles, inline


def test_an_underscore_inside_a_word_is_shown():
    text = inline(escape("filtering on customer_id and created_at."), MdStyles())
    assert text.plain == "filtering on customer_id and created_at."
    assert not any(span.style and getattr(span.style, "italic", False) for span in text.spans)


def test_emphasis_and_escaped_underscores_still_work():
    styles = MdStyles()
    text = inline("_note_: " + escape("_leading and trailing_ __dunder__"), styles)
    assert text.plain == "note: _leading and trailing_ __dunder__"
    italic = [text.plain[s.start:s.end] for s in text.spans if s.style == styles.em]
    assert italic == ["note"]
