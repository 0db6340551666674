"""The Overview's approve key: a reviewer signs the report off.

A small form (a note, then who approves: the user when they are a
reviewer, else the first reviewer still awaited), then one undoable edit
(pmtui.edits.team.approve): the approval (who, when) recorded in the file,
the status moved from draft to in review."""

from __future__ import annotations

from typing import Any

from pmtui.distribute.signoff import SignoffError, missing_approvals, normalise
from pmtui.edits.team import approve
from pmtui.ui.panes.base import Pane


def _same(a: str, b: str) -> bool:
    return a.strip().lower().lstrip("@") == b.strip().lower().lstrip("@")


def default_reviewer(pane: Pane) -> str:
    pm = pane.session.pm
    me = pane.context.user_handle
    if me and any(_same(me, r) for r in pm.reviewers):
        return next(r for r in pm.reviewers if _same(me, r))
    waiting = missing_approvals(pm)
    return waiting[0] if waiting else (pm.reviewers[0] if pm.reviewers else me)


def ask_approval(pane: Pane) -> None:
    from pmtui.ui.screens.form import Field, FormScreen

    pm = pane.session.pm
    who = default_reviewer(pane)
    if pm.reviewers:
        chooser = Field("who", "Reviewer", who, kind="select", options=tuple(pm.reviewers))
    else:
        chooser = Field("who", "Reviewer", who, placeholder="@handle",
                        hint="No reviewers yet: name them in the Overview's Reviewers first.")
    fields = [Field("note", "Note", "", placeholder="optional, kept with the approval"), chooser]

    def check(values: dict[str, Any]) -> dict[str, str]:
        try:
            name = normalise(values.get("who") or "")
        except SignoffError as exc:
            return {"who": str(exc)}
        if not any(_same(name, r) for r in pm.reviewers):
            return {"who": f"{name} is not a reviewer; add them under Reviewers first"}
        return {}

    def done(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        try:
            edit, outcome = approve(pm, values["who"], pane.context.now(), note=(values.get("note") or "").strip(),
                                    rule=pane.context.team.checks.approvals)
        except SignoffError as exc:
            pane.notify(str(exc), severity="error")
            return
        pane.session.run(edit)
        waiting = f"; awaiting {', '.join(outcome.missing)}" if outcome.missing else "; every reviewer has approved"
        pane.notify(f"Approved as {outcome.who} (status {outcome.status_after}){waiting}.")

    pane.app.push_screen(FormScreen("Approve the post-mortem", fields, check=check), done)
