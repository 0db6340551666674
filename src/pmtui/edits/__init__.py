"""Edit operations on a post-mortem: the model's editing rules (a deleted
why takes its subtree and unlinks its factors, the timeline stays in time
order, a deleted factor unlinks its actions...), in one Textual-free place.

Each operation reads the model, decides, and returns an `Edit` (area,
label, do, undo, focus) without changing anything, or None when there is
nothing to change. The app runs it with `EditSession.run(edit)`, which
makes it undoable and tells every pane; a command-line tool can simply call
`edit.do()`. Undo restores the exact state: the same objects, in the same
order, with the same links.
"""

from pmtui.edits.actions import (
    add_action,
    delete_action,
    edit_action,
    link_issue,
    pending_sync,
    sort_actions,
    sync_from_tracker,
)
from pmtui.edits.analysis import (
    LIST_NOUNS,
    add_factor,
    add_item,
    add_why,
    delete_item,
    delete_why,
    edit_factor,
    edit_item,
    edit_text,
    edit_why,
    move_item,
    move_why,
    parent_choices,
    reparent_why,
    subtree_ids,
)
from pmtui.edits.collect import accept_candidates, set_sources
from pmtui.edits.timeline import (
    delete_event,
    duplicate_event,
    insert_event,
    mark_event,
    set_report_timeline,
    sort_events,
    toggle_key,
    update_event,
)
from pmtui.session import Edit, attribute_edit

__all__ = [
    "LIST_NOUNS",
    "Edit",
    "accept_candidates",
    "add_action",
    "add_factor",
    "add_item",
    "add_why",
    "attribute_edit",
    "delete_action",
    "delete_event",
    "delete_item",
    "delete_why",
    "duplicate_event",
    "edit_action",
    "edit_factor",
    "edit_item",
    "edit_text",
    "edit_why",
    "insert_event",
    "link_issue",
    "mark_event",
    "move_item",
    "move_why",
    "parent_choices",
    "pending_sync",
    "reparent_why",
    "set_report_timeline",
    "set_sources",
    "sort_actions",
    "sort_events",
    "subtree_ids",
    "sync_from_tracker",
    "toggle_key",
    "update_event",
]
