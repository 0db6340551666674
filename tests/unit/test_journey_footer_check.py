"""The terminal journeys' footer check: a key cut mid-word is a problem; a
dialog's frame lying over the last line is not the footer and is passed."""

from __future__ import annotations

from pmtui.journey.terminal import footer_problems

KNOWN = {"Add", "Edit", "Delete", "Save"}


def test_a_cut_key_is_a_problem():
    assert footer_problems("top\n a Add  e Edit  x Del\n", KNOWN)
    assert footer_problems("top\n a Add  e Edit  x Dele\u2026\n", KNOWN)


def test_whole_keys_pass():
    assert footer_problems("top\n a Add  e Edit  x Delete  ^s Save\n", KNOWN) == []


def test_a_dialogs_bottom_edge_over_the_last_line_is_not_the_footer():
    screen = "top\n a Add  e Edit  x \u258a\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u258e\n"
    assert footer_problems(screen, KNOWN) == []
    # A table's bar beside a footer is no dialog: the cut key still counts.
    assert footer_problems("top\n a Add  e Edi \u258f\n", KNOWN)
