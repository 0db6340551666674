"""The keys that mean the same in every pane. A pane that binds one of
these keys binds it to this meaning (tests/ui/test_vocabulary.py holds
every pane to it, those added later too), and the help screen and the
README open with this table.

A meaning names the binding id suffixes allowed on its keys ("add" for
timeline.add, actions.add...); escape is "back out", whatever the pane
backs out of, so it names none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Meaning:
    keys: tuple[str, ...]  # Textual key names
    shown: str  # as the help and README write them
    meaning: str
    ids: tuple[str, ...] = ()  # allowed binding id suffixes; () for any


VOCABULARY = (
    Meaning(("a",), "a", "add a row or item (after the cursor; in the five whys, under it)", ("add",)),
    Meaning(("e", "enter"), "e, enter", "edit the selected row or item", ("edit",)),
    Meaning(("x", "delete"), "x, delete", "delete it (ctrl+z brings it back)", ("delete",)),
    Meaning(("v",), "v", "view it in full (every list, table and tree)", ("view",)),
    Meaning(("o",), "o", "open it (a piece of evidence; the place a check concerns)", ("open",)),
    Meaning(("left_square_bracket", "right_square_bracket"), "[ ]", "previous / next list",
            ("prev_list", "next_list")),
    Meaning(("tab",), "tab", "the pane's other part (tree and list, preview and checks)", ("switch_focus",)),
    Meaning(("slash",), "/", "filter", ("filter",)),
    Meaning(("escape",), "esc", "back out: leave a field, clear a filter, stop a collection, close a dialog"),
)


def meaning_of(key: str) -> Meaning | None:
    return next((m for m in VOCABULARY if key in m.keys), None)
