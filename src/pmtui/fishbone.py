"""The contributing factors as a fishbone (Ishikawa) diagram in plain text.

Categories are the bones, alternating above and below a spine that ends
at the problem (the head), so a glance shows where the causes cluster. Pure
text: the app shows it in a widget, the command line could print it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from pmtui.model import FACTOR_CATEGORIES, Factor
from pmtui.textsafe import one_line

MIN_BONE = 16
MAX_WRAP = 4  # lines per factor before it is cut with …
ARROW = "\u25b6"  # ▶


def group(factors: Iterable[Factor]) -> list[tuple[str, list[Factor]]]:
    """Factors by category: the standard categories in their usual order,
    then the team's own alphabetically; empty categories left out."""
    by_cat: dict[str, list[Factor]] = {}
    for factor in factors:
        by_cat.setdefault(factor.category.strip() or "other", []).append(factor)
    standard = [c for c in FACTOR_CATEGORIES if c in by_cat]
    custom = sorted((c for c in by_cat if c not in FACTOR_CATEGORIES), key=str.lower)
    return [(c, by_cat[c]) for c in standard + custom]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "\u2026"


def _bone_lines(category: str, factors: list[Factor], width: int) -> list[str]:
    lines = [_cut(f"{one_line(category).upper()} ({len(factors)})", width - 1)]
    for factor in factors:
        label = one_line(factor.text) or "(no text)"
        wrapped = textwrap.wrap(label, width - 3) or [label]
        if len(wrapped) > MAX_WRAP:
            wrapped = [*wrapped[:MAX_WRAP - 1], _cut(" ".join(wrapped[MAX_WRAP - 1:]), width - 3)]
        lines.append("\u2022 " + _cut(wrapped[0], width - 3))
        lines.extend("  " + _cut(part, width - 3) for part in wrapped[1:])
    return lines


def render(factors: Iterable[Factor], problem: str = "", *, width: int = 80) -> str:
    """The diagram as lines of text no wider than `width` where possible
    (each bone keeps at least MIN_BONE columns, so very many categories on
    a narrow screen make it wider: the viewer scrolls)."""
    groups = group(factors)
    if not groups:
        return "No contributing factors yet: add some to see where the causes cluster."
    head = " " + ARROW + " " + _cut(one_line(problem) or "the problem", max(12, width // 6))
    top = groups[0::2]
    bottom = groups[1::2]
    per_side = max(len(top), 1)
    bone = max(MIN_BONE, (width - len(head) - 2) // per_side)

    def block(side: list[tuple[str, list[Factor]]], upper: bool) -> list[str]:
        if not side:
            return []
        columns = [_bone_lines(cat, items, bone) for cat, items in side]
        height = max(len(c) for c in columns)
        rows: list[str] = []
        for i in range(height):
            cells = []
            for col in columns:
                cells.append((col[i] if i < len(col) else "").ljust(bone))
            rows.append("".join(cells).rstrip())
        slant = "".join(("  \\" if upper else "  /").ljust(bone) for _ in columns).rstrip()
        return [*rows, slant] if upper else [slant, *rows]

    spine_cells = []
    for _ in range(per_side):
        spine_cells.append(("\u2500\u2500\u253c").ljust(bone, "\u2500"))
    spine = "".join(spine_cells) + "\u2500" * 2 + head

    lines = [*block(top, True), spine, *block(bottom, False)]
    return "\n".join(lines)
