"""Sign-off: who approved the report and when, and the status that follows.

draft -> in review (the first approval, or sent for review) -> published
(pmtui publish). An approval is recorded in [[approvals]] (who, at UTC, an
optional note); approving again renews it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pmtui.model import Approval, PostMortem


class SignoffError(ValueError):
    """An approval that cannot be recorded, with what to do."""


@dataclass(frozen=True)
class Outcome:
    who: str
    renewed: bool  # was already approved; the time is now
    status_before: str
    status_after: str
    missing: tuple[str, ...]  # reviewers still to approve


def normalise(handle: str) -> str:
    handle = handle.strip()
    if not handle:
        raise SignoffError("--as: who approves? e.g. --as @carol")
    return handle if handle.startswith("@") or " " in handle else "@" + handle


def _same(a: str, b: str) -> bool:
    return a.strip().lower().lstrip("@") == b.strip().lower().lstrip("@")


def missing_approvals(pm: PostMortem, rule: str = "reviewers") -> list[str]:
    if rule == "none":
        return []
    missing = [r for r in pm.reviewers if r.strip() and not any(_same(r, a.who) for a in pm.approvals)]
    if rule == "any" and pm.approvals:
        return []
    return missing


def approve(pm: PostMortem, who: str, now: datetime, *, note: str = "", add_reviewer: bool = False,
            rule: str = "reviewers") -> Outcome:
    """Record `who`'s approval in `pm` (a reviewer, or added as one)."""
    who = normalise(who)
    if not any(_same(who, r) for r in pm.reviewers):
        if not add_reviewer:
            named = ", ".join(pm.reviewers) or "none yet"
            raise SignoffError(f"{who} is not a reviewer of this post-mortem (reviewers: {named}); "
                               "add them as a reviewer first, or pass --add-reviewer")
        pm.reviewers.append(who)
    before = pm.status
    existing = next((a for a in pm.approvals if _same(a.who, who)), None)
    if existing is not None:
        existing.at = now
        if note:
            existing.note = note
    else:
        pm.approvals.append(Approval(who, now, note))
    if pm.status == "draft":
        pm.status = "in review"
    return Outcome(who, existing is not None, before, pm.status, tuple(missing_approvals(pm, rule)))


def withdraw(pm: PostMortem, who: str) -> bool:
    """Take `who`'s approval back (a change after sign-off); True if there was one."""
    who = normalise(who)
    kept = [a for a in pm.approvals if not _same(a.who, who)]
    changed = len(kept) != len(pm.approvals)
    pm.approvals[:] = kept
    return changed
