"""Action-item edits: add, edit, delete, reorder, and what the tracker
(GitHub) writes back: issue links after an export, fields after a sync."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pmtui.model import PRIORITIES, ActionItem, PostMortem
from pmtui.session import Area, Edit

if TYPE_CHECKING:
    from pmtui.export.sync import SyncChange

SortKey = Literal["priority", "deadline"]
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


def sort_key_priority(item: ActionItem) -> tuple[int, date]:
    return (PRIORITY_RANK.get(item.priority, len(PRIORITIES)), item.deadline or date.max)


def sort_key_deadline(item: ActionItem) -> tuple[date, int]:
    return (item.deadline or date.max, PRIORITY_RANK.get(item.priority, len(PRIORITIES)))


def _setter(item: ActionItem, values: Mapping[str, Any]) -> Callable[[], None]:
    def run() -> None:
        for key, value in values.items():
            setattr(item, key, value)

    return run


def add_action(pm: PostMortem, index: int, values: Mapping[str, Any]) -> Edit:
    """A new item with the next id (AI-004...) at `index`; `values` are its
    fields (an empty type or status takes the default)."""
    fields = dict(values)
    fields["type"] = fields.get("type") or "prevent"
    fields["status"] = fields.get("status") or "open"
    item = ActionItem(pm.next_action_id(), **fields)
    actions = pm.actions

    def do() -> None:
        actions.insert(index, item)

    def undo() -> None:
        actions.remove(item)

    return Edit(Area.ACTIONS, f"add {item.id}", do, undo, item)


def edit_action(pm: PostMortem, item: ActionItem, values: Mapping[str, Any]) -> Edit | None:
    """Set the item's fields (an empty type or status keeps the item's);
    None when nothing changes."""
    new = dict(values)
    if "type" in new:
        new["type"] = new["type"] or item.type
    if "status" in new:
        new["status"] = new["status"] or item.status
    old = {k: getattr(item, k) for k in new}
    if old == new:
        return None
    return Edit(Area.ACTIONS, f"edit {item.id}", _setter(item, new), _setter(item, old), item)


def delete_action(pm: PostMortem, item: ActionItem) -> Edit:
    actions = pm.actions
    index = actions.index(item)

    def do() -> None:
        actions.remove(item)

    def undo() -> None:
        actions.insert(index, item)

    return Edit(Area.ACTIONS, f"delete {item.id}", do, undo, item)


def sort_actions(pm: PostMortem, by: SortKey, *, focus: ActionItem | None = None) -> Edit | None:
    """Reorder the items themselves (stable): the report's table and the
    exported issues follow this order. None when already in it."""
    items = pm.actions
    key = sort_key_priority if by == "priority" else sort_key_deadline
    old = list(items)
    new = sorted(items, key=key)
    if all(a is b for a, b in zip(new, old, strict=True)):
        return None

    def put(order: list[ActionItem]) -> Callable[[], None]:
        def run() -> None:
            items[:] = order

        return run

    return Edit(Area.ACTIONS, f"sort by {by}", put(new), put(old), focus)


def link_issue(pm: PostMortem, item_id: str, number: int | None, url: str) -> Edit | None:
    """Record the tracker issue an export created or found for an item;
    None when the item is gone or already links it."""
    item = next((a for a in pm.actions if a.id == item_id), None)
    if item is None or number is None:
        return None
    old, new = (item.issue, item.tracker), (number, url or item.tracker)
    if old == new:
        return None

    def put(values: tuple[int | None, str]) -> Callable[[], None]:
        def run() -> None:
            item.issue, item.tracker = values

        return run

    return Edit(Area.EXPORT, f"link {item.id} to #{number}", put(new), put(old), item)


def pending_sync(pm: PostMortem, changes: Sequence[SyncChange]) -> list[SyncChange]:
    """The changes a sync read that still apply: the item is still there and
    the field still holds what the sync saw."""
    items = {a.id: a for a in pm.actions}
    return [c for c in changes if c.item_id in items and getattr(items[c.item_id], c.field) == c.old]


def sync_from_tracker(pm: PostMortem, changes: Sequence[SyncChange]) -> Edit | None:
    """What the tracker says (closed -> done, the assignee as owner...) into
    the items, as one step; None when nothing still applies."""
    pending = pending_sync(pm, changes)
    if not pending:
        return None
    items = {a.id: a for a in pm.actions}

    def do() -> None:
        for c in pending:
            setattr(items[c.item_id], c.field, c.new)

    def undo() -> None:
        for c in reversed(pending):
            setattr(items[c.item_id], c.field, c.old)

    label = f"sync {len(pending)} changes from GitHub"
    return Edit(Area.EXPORT, label, do, undo, items[pending[0].item_id])
