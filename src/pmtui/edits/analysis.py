"""Analysis edits: the five-whys tree (stored flat, `parent` naming another
why), the contributing factors and the retrospective lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pmtui.model import ActionItem, Factor, PostMortem, Why
from pmtui.session import Area, Edit, attribute_edit

ListKey = Literal["factors", "systemic_issues", "went_well", "went_wrong", "lucky", "lessons"]
TextKey = Literal["problem", "immediate_cause", "shallow_reason"]

# What one entry of each list is called, in undo labels and messages.
LIST_NOUNS: dict[ListKey, str] = {
    "factors": "contributing factor",
    "systemic_issues": "systemic issue",
    "went_well": "thing that went well",
    "went_wrong": "thing that went wrong",
    "lucky": "place we got lucky",
    "lessons": "lesson learned",
}
TEXT_LABELS: dict[TextKey, str] = {
    "problem": "edit problem",
    "immediate_cause": "edit immediate cause",
    "shallow_reason": "edit reason",
}


# -- whys ----------------------------------------------------------------------


def find_why(pm: PostMortem, why_id: str | None) -> Why | None:
    return next((w for w in pm.whys if w.id == why_id), None) if why_id else None


def subtree_ids(pm: PostMortem, why: Why) -> set[str]:
    """`why` and every why below it (cycles in a hand-edited file end the walk)."""
    out = {why.id}
    grew = True
    while grew:
        grew = False
        for w in pm.whys:
            if w.parent in out and w.id not in out:
                out.add(w.id)
                grew = True
    return out


def add_why(pm: PostMortem, text: str, parent: str = "", *, after: Why | None = None) -> Edit:
    """A new why under `parent` ("" = the problem), placed right after
    `after` when given (a sibling added below the cursor), else last."""
    why = Why(pm.next_why_id(), text, parent)
    whys = pm.whys
    index = whys.index(after) + 1 if after is not None and after in whys else len(whys)

    def do() -> None:
        whys.insert(index, why)

    def undo() -> None:
        whys.remove(why)

    return Edit(Area.ANALYSIS, f"add {why.id}", do, undo, why)


def edit_why(pm: PostMortem, why: Why, text: str) -> Edit | None:
    return attribute_edit(Area.ANALYSIS, f"edit {why.id}", why, "text", text)


def parent_choices(pm: PostMortem, why: Why) -> list[str]:
    """Where `why` may move: the problem ("") or any why outside its own
    subtree, except where it is now."""
    below = subtree_ids(pm, why)
    choices = [""] + [w.id for w in pm.whys if w.id not in below and w.id != why.parent]
    if why.parent == "":
        choices.remove("")
    return choices


def reparent_why(pm: PostMortem, why: Why, parent: str) -> Edit | None:
    """Move `why` (with its subtree) under `parent` ("" = the problem).
    ValueError for a parent that does not exist or lies below `why`."""
    if parent and find_why(pm, parent) is None:
        raise ValueError(f"no why {parent!r}")
    if parent in subtree_ids(pm, why):
        raise ValueError(f"{parent} is {why.id} itself or below it")
    return attribute_edit(Area.ANALYSIS, f"move {why.id}", why, "parent", parent, focus=why)


def move_why(pm: PostMortem, why: Why, step: int) -> Edit | None:
    """Swap `why` with its sibling `step` places away; None at either end."""
    whys = pm.whys
    siblings = [w for w in whys if w.parent == why.parent]
    pos = siblings.index(why)
    if not 0 <= pos + step < len(siblings):
        return None
    a, b = whys.index(why), whys.index(siblings[pos + step])

    def swap() -> None:
        whys[a], whys[b] = whys[b], whys[a]

    return Edit(Area.ANALYSIS, f"move {why.id}", swap, swap, why)


def delete_why(pm: PostMortem, why: Why) -> Edit:
    """Delete `why` and its subtree; factors linked to any of them are
    unlinked (and linked again by undo). Focus: the parent left behind."""
    gone = subtree_ids(pm, why)
    whys = pm.whys
    removed = [(i, w) for i, w in enumerate(whys) if w.id in gone]
    unlinked = [(f, f.why) for f in pm.factors if f.why in gone]

    def do() -> None:
        for _, w in reversed(removed):
            whys.remove(w)
        for f, _ in unlinked:
            f.why = ""

    def undo() -> None:
        for i, w in removed:
            whys.insert(i, w)
        for f, link in unlinked:
            f.why = link

    parent = find_why(pm, why.parent)
    label = f"delete {why.id}" + (f" and {len(gone) - 1} below" if len(gone) > 1 else "")
    return Edit(Area.ANALYSIS, label, do, undo, parent)


def edit_text(pm: PostMortem, key: TextKey, value: str) -> Edit | None:
    """The problem statement, the immediate cause or the reason no chain
    reaches five whys."""
    return attribute_edit(Area.ANALYSIS, TEXT_LABELS[key], pm, key, value)


# -- factors and the other lists -----------------------------------------------------


def add_factor(pm: PostMortem, at: int, text: str, category: str, why: str = "") -> Edit:
    factor = Factor(pm.next_factor_id(), text, category, why)
    factors = pm.factors

    def do() -> None:
        factors.insert(at, factor)

    def undo() -> None:
        factors.remove(factor)

    return Edit(Area.ANALYSIS, f"add {factor.id}", do, undo, factor)


def edit_factor(pm: PostMortem, factor: Factor, *, category: str, text: str, why: str) -> Edit | None:
    old = (factor.category, factor.text, factor.why)
    new = (category, text, why)
    if old == new:
        return None

    def put(values: tuple[str, str, str]) -> Callable[[], None]:
        def run() -> None:
            factor.category, factor.text, factor.why = values

        return run

    return Edit(Area.ANALYSIS, f"edit {factor.id}", put(new), put(old), factor)


def _strings(pm: PostMortem, key: ListKey) -> list[str]:
    if key == "factors":
        raise ValueError("factors are edited with add_factor / edit_factor")
    items: list[str] = getattr(pm, key)
    return items


def add_item(pm: PostMortem, key: ListKey, at: int, text: str) -> Edit:
    """A new entry of a list of sentences (went well, lessons...) at `at`."""
    items = _strings(pm, key)

    def do() -> None:
        items.insert(at, text)

    def undo() -> None:
        del items[at]

    return Edit(Area.ANALYSIS, f"add {LIST_NOUNS[key]}", do, undo, at)


def edit_item(pm: PostMortem, key: ListKey, index: int, text: str) -> Edit | None:
    items = _strings(pm, key)
    old = items[index]
    if text == old:
        return None

    def do() -> None:
        items[index] = text

    def undo() -> None:
        items[index] = old

    return Edit(Area.ANALYSIS, f"edit {LIST_NOUNS[key]}", do, undo, index)


def delete_item(pm: PostMortem, key: ListKey, index: int) -> Edit:
    """Delete entry `index` of a list; deleting a factor unlinks the action
    items addressing it (undo links them again)."""
    items: list[Factor | str] = getattr(pm, key)
    item = items[index]
    factor_id = item.id if isinstance(item, Factor) else ""
    linked: list[ActionItem] = [a for a in pm.actions if a.factor == factor_id] if factor_id else []

    def do() -> None:
        del items[index]
        for a in linked:
            a.factor = ""

    def undo() -> None:
        items.insert(index, item)
        for a in linked:
            a.factor = factor_id

    return Edit(Area.ANALYSIS, f"delete {LIST_NOUNS[key]}", do, undo, index)


def move_item(pm: PostMortem, key: ListKey, index: int, step: int) -> Edit | None:
    """Swap entry `index` with the one `step` places away; None past either end."""
    items: list[Factor | str] = getattr(pm, key)
    other = index + step
    if not 0 <= other < len(items):
        return None

    def swap() -> None:
        items[index], items[other] = items[other], items[index]

    return Edit(Area.ANALYSIS, f"move {LIST_NOUNS[key]}", swap, swap, other)
