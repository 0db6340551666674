"""Carry out a confirmed plan: create, update and link issues.

Made to run in a thread worker: progress goes through `progress`,
`cancelled` is checked between items and during waits, and
`on_item_done(outcome)` is called right after each item whose link
(action.issue, action.tracker) was written into the model (created or
linked; updates change only GitHub), so the caller saves the file then —
a crash or a cancel a moment later loses nothing and the next run creates
nothing twice.

apply mutates the ActionItem objects of the `pm` it is given. A UI that
keeps the model on its main thread can pass a deep copy and apply each
outcome's (item_id, number, url) through its edit session instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pmtui.export.errors import ExportError
from pmtui.export.issue_text import LABEL_DESCRIPTIONS, IssueContent, label_color
from pmtui.export.plan import CREATE, LINK, SKIP, UNCHANGED, UPDATE, Plan, PlanItem, decide, index, merged_labels
from pmtui.export.progress import CancelledFn, Progress, ProgressFn, no_progress
from pmtui.model import ActionItem, PostMortem
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.export.github import GithubClient, RemoteIssue

# Outcomes per item.
CREATED, UPDATED, LINKED, NOOP, SKIPPED, FAILED, NOT_DONE = (
    "created", "updated", "linked", "unchanged", "skipped", "failed", "not done",
)
# Errors after which going on with other items is pointless.
_STOPPING = {"auth", "forbidden", "not-found", "rate-limit", "cancelled", "network", "server", "config", "token"}
# Clock skew allowance when looking for an issue a lost create may have made.
_SKEW = timedelta(minutes=10)


@dataclass
class ItemOutcome:
    item_id: str
    status: str  # created | updated | linked | unchanged | skipped | failed | not done
    message: str = ""
    number: int | None = None
    url: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "item": self.item_id,
            "status": self.status,
            "message": self.message,
            "issue": self.number,
            "url": self.url or None,
            "warnings": list(self.warnings),
        }


@dataclass
class Result:
    outcomes: list[ItemOutcome] = field(default_factory=list)
    labels_created: list[str] = field(default_factory=list)
    stopped: ExportError | None = None  # why the run ended early, if it did

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.stopped is None and not any(o.status in (FAILED, NOT_DONE) for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        if self.stopped is not None and self.stopped.is_usage and not any(
            o.status in (CREATED, UPDATED, LINKED) for o in self.outcomes
        ):
            return 2
        return 0 if self.ok else 1

    @property
    def warnings(self) -> list[str]:
        return [f"{o.item_id}: {w}" for o in self.outcomes for w in o.warnings]

    def summary(self) -> str:
        order = (CREATED, UPDATED, LINKED, NOOP, SKIPPED, FAILED, NOT_DONE)
        return ", ".join(f"{self.count(s)} {s}" for s in order if self.count(s)) or "nothing to do"

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "items": [o.to_json() for o in self.outcomes],
            "labels_created": list(self.labels_created),
            "stopped": self.stopped.to_json() if self.stopped else None,
            "counts": {s: self.count(s) for s in (CREATED, UPDATED, LINKED, NOOP, SKIPPED, FAILED, NOT_DONE)},
        }


def _write_link(item: ActionItem, issue: RemoteIssue) -> None:
    item.issue = issue.number
    item.tracker = issue.url


def apply(
    pm: PostMortem,
    plan: Plan,
    client: GithubClient,
    *,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    on_item_done: Callable[[ItemOutcome], None] | None = None,
) -> Result:
    """Never raises ExportError: a fatal one ends up in `Result.stopped`,
    with every item not reached reported as "not done"."""
    report = progress or no_progress
    client.hooks(progress, cancelled)
    result = Result()
    items = {a.id: a for a in pm.actions}
    writes = [p for p in plan.items if p.writes]
    pending = list(plan.items)
    done = 0
    try:
        client.check_cancelled()
        # The plan may be minutes old; another run may have created issues
        # since. Decide again from a fresh listing, within what was confirmed.
        by_number, by_marker = index(client.list_issues(), pm.id)
        _ensure_labels(client, plan, result, report)
        while pending:
            p = pending[0]
            item = items.get(p.item_id)
            if not p.writes:
                result.outcomes.append(ItemOutcome(p.item_id, NOOP if p.action == UNCHANGED else SKIPPED,
                                                   p.why, p.number, p.url))
                pending.pop(0)
                continue
            if item is None:
                result.outcomes.append(ItemOutcome(p.item_id, SKIPPED, "no longer in the file"))
                pending.pop(0)
                continue
            client.check_cancelled()
            report(Progress("item", f"{p.item_id}: {p.action}", done, len(writes), p.item_id))
            d = decide(pm, item, plan.settings, by_number, by_marker)
            try:
                remote = by_number.get(d.number) if d.number is not None else None
                outcome = _carry_out(pm, item, d, client, report, remote)
            except ExportError as exc:
                if exc.kind in _STOPPING:
                    raise
                outcome = ItemOutcome(item.id, FAILED, exc.message, d.number, d.url)
            pending.pop(0)
            done += 1
            result.outcomes.append(outcome)
            if outcome.status in (CREATED, LINKED) and on_item_done is not None:
                on_item_done(outcome)
    except ExportError as exc:
        result.stopped = exc
        for p in pending:
            result.outcomes.append(ItemOutcome(p.item_id, NOT_DONE if p.writes else
                                               (NOOP if p.action == UNCHANGED else SKIPPED),
                                               exc.message if p.writes else p.why, p.number, p.url))
    report(Progress("done", result.summary(), done, len(writes)))
    return result


def _ensure_labels(client: GithubClient, plan: Plan, result: Result, report: ProgressFn) -> None:
    if not plan.missing_labels:
        return
    existing = {n.lower() for n in client.label_names()}
    for name in plan.missing_labels:
        if name.lower() in existing:
            continue
        report(Progress("labels", f"Creating label {one_line(name, 80)}"))
        client.create_label(name, label_color(name), LABEL_DESCRIPTIONS.get(name.lower()))
        result.labels_created.append(name)


def _carry_out(pm: PostMortem, item: ActionItem, d: PlanItem, client: GithubClient, report: ProgressFn,
               remote: RemoteIssue | None) -> ItemOutcome:
    if d.action == CREATE:
        return _create(pm, item, d, client, report)
    if d.action == LINK:
        issue_number, url = d.number, d.url
        item.issue, item.tracker = issue_number, url
        outcome = ItemOutcome(item.id, LINKED, d.why, issue_number, url)
        if d.changes:
            _update(d, client, remote)
            outcome.message += " (updated)"
        return outcome
    if d.action == UPDATE:
        issue = _update(d, client, remote)
        return ItemOutcome(item.id, UPDATED, f"#{issue.number}: {', '.join(d.changes)}", issue.number, issue.url)
    if d.action == UNCHANGED:
        return ItemOutcome(item.id, NOOP, d.why, d.number, d.url)
    assert d.action == SKIP
    return ItemOutcome(item.id, SKIPPED, d.why, d.number, d.url)


def _update(d: PlanItem, client: GithubClient, remote: RemoteIssue | None) -> RemoteIssue:
    """Rewrite the fields of the item's issue that differ from the file."""
    if d.number is None or remote is None:
        # decide() updates or links only an issue of the listing it was given.
        raise ExportError("rejected", f"{d.item_id}: issue #{d.number} is not in the fresh listing; not updated")
    content = _content(d)
    labels = merged_labels(remote.labels, content.labels, content.priority_names)
    fields: dict[str, object] = {}
    if "title" in d.changes:
        fields["title"] = content.title
    if "body" in d.changes:
        fields["body"] = content.body
    if "labels" in d.changes:
        fields["labels"] = list(labels)
    return client.edit_issue(d.number, **fields)


def _content(d: PlanItem) -> IssueContent:
    if d.content is None:
        # decide() gives content to every item it creates, updates or links.
        raise ExportError("rejected", f"{d.item_id}: nothing to write for a {d.action}")
    return d.content


def _create(pm: PostMortem, item: ActionItem, d: PlanItem, client: GithubClient,
            report: ProgressFn) -> ItemOutcome:
    content = _content(d)
    assignees = [content.assignee] if content.assignee else []
    warnings: list[str] = []
    since = datetime.now(UTC) - _SKEW
    lost = 0
    while True:
        from pmtui.export.github import AmbiguousCreate

        try:
            issue = client.create_issue(content.title, content.body, list(content.labels), assignees)
            break
        except AmbiguousCreate as amb:
            # The create may have happened: look before sending it again.
            report(Progress("retry", f"{item.id}: {amb.error.message} Checking whether the issue exists.",
                            item_id=item.id))
            found = next((i for i in client.recent_issues(since) if i.marker == (pm.id, item.id)), None)
            if found is not None:
                issue = found
                warnings.append(f"the answer to the create was lost; found #{found.number} by its marker")
                break
            lost += 1
            if lost > client.settings.retries:
                raise amb.error from None
            client.pause(client.settings.backoff * 2 ** (lost - 1))
        except ExportError as exc:
            if exc.status == 422 and "assignees" in exc.fields and assignees:
                warnings.append(
                    f"GitHub refused the assignee @{assignees[0]} (422: unknown login, or no access to "
                    f"{client.settings.repo}); the issue was created without an assignee"
                )
                assignees = []
                continue
            raise
    _write_link(item, issue)
    return ItemOutcome(item.id, CREATED, f"#{issue.number}", issue.number, issue.url, warnings)
