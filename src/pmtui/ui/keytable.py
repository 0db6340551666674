"""The README's table of keys, written from the bindings themselves (the
vocabulary first, then every key by pane with the id a `[keys]` table
rebinds it by), so the README, the `?` screen and the footer cannot
disagree. `python scripts/keys_table.py` rewrites the README's table;
tests/ui/test_vocabulary.py fails when it is out of date."""

from __future__ import annotations

from pmtui.ui.keys import bindings_of, key_text
from pmtui.ui.vocabulary import VOCABULARY

START = "<!-- keys: written by scripts/keys_table.py from the bindings; edit those, not this -->"
END = "<!-- /keys -->"


def _keys(binding_key: str) -> str:
    return ", ".join(f"`{key_text(k.strip())}`" for k in binding_key.split(",") if k.strip())


def markdown() -> str:
    from pmtui.ui.app import PANES, PmApp, load_pane_class

    lines = [START, "", "| same key, same meaning in every pane | |", "|---|---|"]
    lines += [f"| {_keys(','.join(m.keys))} | {m.meaning} |" for m in VOCABULARY]
    sections: list[tuple[str, type]] = [("Everywhere", PmApp)]
    sections += [(p.title, load_pane_class(p.name)) for p in PANES]
    for title, cls in sections:
        lines += ["", f"| {title} | | id |", "|---|---|---|"]
        for binding in bindings_of(cls):
            lines.append(f"| {_keys(binding.key)} | {binding.description} | `{binding.id or ''}` |")
    lines += ["", END]
    return "\n".join(lines).replace("`|`", "`\\|`")


def replace_in(text: str) -> str:
    """`text` (the README) with its table rewritten; ValueError without markers."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no keys table between {START!r} and {END!r}")
    return text[:start] + markdown() + text[end + len(END):]
