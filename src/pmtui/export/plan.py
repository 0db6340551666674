"""The dry run: what an export would do to each action item, and why.

`plan` only reads from GitHub (the token, the repository, its issues and
labels); it is what a confirmation screen shows before `apply` writes.
`decide` is the pure part, shared by plan and apply so both reach the same
answer from the same remote state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmtui.export.issue_text import BASE_LABEL, PRIORITY_PREFIX, IssueContent, content_for
from pmtui.export.progress import CancelledFn, ProgressFn
from pmtui.export.settings import ExportSettings
from pmtui.model import ActionItem, PostMortem
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.export.github import GithubClient, RemoteIssue

# What happens to one item.
CREATE, UPDATE, UNCHANGED, LINK, SKIP = "create", "update", "unchanged", "link", "skip"


@dataclass(frozen=True)
class PlanItem:
    item_id: str
    action: str  # create | update | unchanged | link | skip
    why: str  # one line for the confirmation screen
    title: str
    number: int | None = None  # the issue, when one exists
    url: str = ""
    changes: tuple[str, ...] = ()  # fields an update rewrites: title, body, labels
    content: IssueContent | None = None

    @property
    def writes(self) -> bool:
        return self.action in (CREATE, UPDATE, LINK)

    def to_json(self) -> dict:
        return {
            "item": self.item_id,
            "action": self.action,
            "why": self.why,
            "title": self.title,
            "issue": self.number,
            "url": self.url or None,
            "changes": list(self.changes),
            "assignee": self.content.assignee if self.content else None,
            "labels": list(self.content.labels) if self.content else [],
        }


@dataclass
class Plan:
    settings: ExportSettings
    pm_id: str
    items: list[PlanItem]
    missing_labels: list[str] = field(default_factory=list)
    login: str | None = None  # who the token belongs to, when GitHub says
    # Why the plan was made from the file alone ("" when GitHub was read):
    # no token, GitHub unreachable. Labels and existing issues are unknown then.
    unchecked: str = ""

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    @property
    def has_writes(self) -> bool:
        return bool(self.missing_labels) or any(i.writes for i in self.items)

    def summary(self) -> str:
        parts = [f"{self.count(a)} to {a}" for a in (CREATE, UPDATE, LINK) if self.count(a)]
        parts += [f"{self.count(a)} {a}" for a in (UNCHANGED,) if self.count(a)]
        parts += [f"{self.count(SKIP)} skipped"] if self.count(SKIP) else []
        return ", ".join(parts) or "no action items"

    def to_json(self) -> dict:
        return {
            "repo": self.settings.repo,
            "base_url": self.settings.base_url,
            "post_mortem": self.pm_id,
            "login": self.login,
            "missing_labels": list(self.missing_labels),
            "items": [i.to_json() for i in self.items],
            "counts": {a: self.count(a) for a in (CREATE, UPDATE, UNCHANGED, LINK, SKIP)},
            "checked": not self.unchecked,
            "unchecked_because": self.unchecked or None,
        }


def _tracker_number(tracker: str, repo: str) -> int | None:
    """The issue number in a tracker URL of this repository, else None."""
    m = re.search(r"/([^/]+/[^/]+)/issues/(\d+)/?$", tracker.strip())
    if m and m.group(1).lower() == repo.lower():
        return int(m.group(2))
    return None


def merged_labels(current: tuple[str, ...], wanted: tuple[str, ...],
                  priority_names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Labels an issue should carry: those people added on GitHub stay, a
    stale priority label goes (pmtui's own "priority: …" or one the team's
    mapping names), every wanted one is there."""
    wanted_lower = {w.lower() for w in wanted}
    means_priority = {p.lower() for p in priority_names}

    def stale(label: str) -> bool:
        low = label.lower()
        return low not in wanted_lower and (low.startswith(PRIORITY_PREFIX) or low in means_priority)

    kept = [c for c in current if not stale(c)]
    have = {c.lower() for c in kept}
    return tuple(kept + [w for w in wanted if w.lower() not in have])


def diff(issue: RemoteIssue, content: IssueContent) -> tuple[str, ...]:
    changes = []
    if issue.title != content.title:
        changes.append("title")
    if issue.body.replace("\r\n", "\n").rstrip() != content.body.rstrip():
        changes.append("body")
    merged = merged_labels(issue.labels, content.labels, content.priority_names)
    if {lb.lower() for lb in merged} != {lb.lower() for lb in issue.labels}:
        changes.append("labels")
    return tuple(changes)


def decide(
    pm: PostMortem,
    item: ActionItem,
    settings: ExportSettings,
    by_number: dict[int, RemoteIssue],
    by_marker: dict[str, RemoteIssue],
) -> PlanItem:
    content = content_for(pm, item, settings.labels, priority_labels=settings.priority_labels,
                          assignees=settings.assignees)
    title = content.title
    if not item.action.strip():
        return PlanItem(item.id, SKIP, "no action text yet", title)
    number = item.issue
    if number is None and item.tracker.strip():
        number = _tracker_number(item.tracker, settings.repo)
        if number is None:
            return PlanItem(item.id, SKIP, f"tracked elsewhere: {one_line(item.tracker, 120)}", title)
    if number is not None:
        issue = by_number.get(number)
        if issue is None:
            return PlanItem(
                item.id, SKIP,
                f"issue #{number} is not in {settings.repo} (deleted or moved?); clear the item's "
                "issue and tracker to create a new one",
                title, number=number,
            )
        changes = diff(issue, content)
        if changes:
            return PlanItem(item.id, UPDATE, f"#{number} differs: {', '.join(changes)}", title, number,
                            issue.url, changes, content)
        return PlanItem(item.id, UNCHANGED, f"#{number} is up to date", title, number, issue.url,
                        content=content)
    found = by_marker.get(item.id)
    if found is not None:
        changes = diff(found, content)
        why = f"#{found.number} was created for this item but its link never reached the file"
        if changes:
            why += f"; it also differs: {', '.join(changes)}"
        return PlanItem(item.id, LINK, why, title, found.number, found.url, changes, content)
    return PlanItem(item.id, CREATE, "no issue yet", title, content=content)


def index(issues: list[RemoteIssue], pm_id: str) -> tuple[dict[int, RemoteIssue], dict[str, RemoteIssue]]:
    by_number = {i.number: i for i in issues}
    by_marker: dict[str, RemoteIssue] = {}
    # Oldest first wins: if a duplicate ever exists, keep linking the original.
    for issue in sorted(issues, key=lambda i: i.number):
        m = issue.marker
        if m and m[0] == pm_id and m[1] not in by_marker:
            by_marker[m[1]] = issue
    return by_number, by_marker


def wanted_labels(items: list[PlanItem]) -> list[str]:
    names: dict[str, str] = {}
    for p in items:
        if p.writes and p.content is not None:
            for name in p.content.labels:
                names.setdefault(name.lower(), name)
    return list(names.values())


def plan(
    pm: PostMortem,
    settings: ExportSettings,
    client: GithubClient,
    *,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> Plan:
    """Read-only: checks the token and repository, lists issues and labels,
    and says per item what `apply` would do. Raises ExportError."""
    client.hooks(progress, cancelled)
    client.check()
    issues = client.list_issues()
    by_number, by_marker = index(issues, pm.id)
    items = [decide(pm, item, settings, by_number, by_marker) for item in pm.actions]
    existing = {n.lower() for n in client.label_names()}
    missing = [n for n in wanted_labels(items) if n.lower() not in existing]
    # post-mortem first: it is the one every issue carries.
    missing.sort(key=lambda n: (n.lower() != BASE_LABEL, n.lower()))
    return Plan(settings, pm.id, items, missing, client.login)


def offline_plan(pm: PostMortem, settings: ExportSettings, why: str) -> Plan:
    """What an export would do judged from the file alone (`why`: no token,
    GitHub unreachable): an item with an issue would be updated if it
    differs, one without would be created — unless GitHub already holds an
    issue made for it whose link never reached the file, which only a
    checked plan can tell."""
    items = []
    for item in pm.actions:
        content = content_for(pm, item, settings.labels)
        if not item.action.strip():
            items.append(PlanItem(item.id, SKIP, "no action text yet", content.title))
            continue
        number = item.issue
        if number is None and item.tracker.strip():
            number = _tracker_number(item.tracker, settings.repo)
            if number is None:
                items.append(PlanItem(item.id, SKIP, f"tracked elsewhere: {one_line(item.tracker, 120)}",
                                      content.title))
                continue
        if number is not None:
            items.append(PlanItem(item.id, UPDATE, f"#{number} would be updated where it differs (not checked)",
                                  content.title, number, content=content))
        else:
            items.append(PlanItem(item.id, CREATE, "no issue in the file (GitHub not checked)", content.title,
                                  content=content))
    return Plan(settings, pm.id, items, unchecked=why)
