from hypothesis import given
from hypothesis import strategies as st

from pmtui.textsafe import one_line, printable


def test_escape_sequences_become_visible():
    hostile = "\x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 \x1b]0;title\x07"
    shown = printable(hostile)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\u241b[31mred" in shown  # ␛ stands where ESC was


def test_bidi_and_zero_width_are_named():
    assert printable("abc\u202edef\u200b") == "abc<U+202E>def<U+200B>"


def test_newlines_kept_only_when_asked():
    assert printable("a\nb") == "a\u240ab"
    assert printable("a\nb\r", multiline=True) == "a\nb\u240d"
    assert one_line("a\nb", limit=3) == "a\u23ce\u2026"


def test_markup_is_left_as_text():
    # printable does not touch brackets; callers use rich.text.Text, never markup.
    assert printable("[bold red]x[/]") == "[bold red]x[/]"


@given(st.text())
def test_nothing_unsafe_survives(text):
    shown = printable(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown
