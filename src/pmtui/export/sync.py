"""Read issues back into the file (`--sync`): a closed issue marks its item
done, a reopened one marks it open again, an assignee becomes the owner
(@login). `plan_sync` only reads; `apply_sync` changes the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmtui.export.issue_text import owner_login
from pmtui.export.plan import _tracker_number, index
from pmtui.export.progress import CancelledFn, ProgressFn
from pmtui.model import PostMortem
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.export.github import GithubClient
    from pmtui.export.settings import ExportSettings


@dataclass(frozen=True)
class SyncChange:
    item_id: str
    field: str  # status | owner | issue | tracker
    old: object
    new: object
    why: str

    def to_json(self) -> dict:
        return {"item": self.item_id, "field": self.field, "old": self.old, "new": self.new, "why": self.why}


def plan_sync(
    pm: PostMortem,
    settings: ExportSettings,
    client: GithubClient,
    *,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> list[SyncChange]:
    client.hooks(progress, cancelled)
    client.check()
    by_number, by_marker = index(client.list_issues(), pm.id)
    changes: list[SyncChange] = []
    for item in pm.actions:
        number = item.issue
        if number is None and item.tracker:
            number = _tracker_number(item.tracker, settings.repo)
        issue = by_number.get(number) if number is not None else by_marker.get(item.id)
        if issue is None:
            continue
        ref = f"#{issue.number}"
        if item.issue != issue.number:
            changes.append(SyncChange(item.id, "issue", item.issue, issue.number, f"{ref} carries this item's marker"))
        if item.tracker != issue.url:
            changes.append(SyncChange(item.id, "tracker", item.tracker, issue.url, f"link to {ref}"))
        if issue.state == "closed" and item.status != "done":
            changes.append(SyncChange(item.id, "status", item.status, "done", f"{ref} is closed"))
        elif issue.state == "open" and item.status == "done":
            changes.append(SyncChange(item.id, "status", item.status, "open", f"{ref} was reopened"))
        current = owner_login(item.owner)
        logins = [a.lower() for a in issue.assignees]
        if issue.assignees and (current is None or current.lower() not in logins):
            new = "@" + issue.assignees[0]
            changes.append(SyncChange(item.id, "owner", item.owner, new,
                                      f"{ref} is assigned to {one_line(new, 60)}"))
    return changes


def apply_sync(pm: PostMortem, changes: list[SyncChange]) -> int:
    """Apply changes to the model; returns how many were applied (items
    removed since the plan are passed over)."""
    items = {a.id: a for a in pm.actions}
    applied = 0
    for ch in changes:
        item = items.get(ch.item_id)
        if item is None:
            continue
        setattr(item, ch.field, ch.new)
        applied += 1
    return applied
