"""Edits of the team-convention fields: entries of the user-keyed tables
(custom fields, roles, extra sections) and a reviewer's approval, each an
undoable Edit like the other operations here."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from pmtui.distribute import signoff
from pmtui.model import PostMortem
from pmtui.session import Area, Edit

_MISSING = object()


def set_entry(area: Area, label: str, table: dict[str, Any], key: str, value: Any, *, focus: Any = None) -> Edit | None:
    """Set `table[key]` (None or empty removes the key); None when nothing changes."""
    empty = value is None or value == "" or value == []
    old = table.get(key, _MISSING)
    if (empty and old is _MISSING) or (not empty and old is not _MISSING and old == value):
        return None
    new = copy.copy(value)

    def do() -> None:
        if empty:
            table.pop(key, None)
        else:
            table[key] = copy.copy(new)

    def undo() -> None:
        if old is _MISSING:
            table.pop(key, None)
        else:
            table[key] = old

    return Edit(Area(area), label, do, undo, focus if focus is not None else key)


def approve(pm: PostMortem, who: str, now: datetime, *, note: str = "", rule: str = "reviewers",
            focus: Any = None) -> tuple[Edit, signoff.Outcome]:
    """`who`'s approval (signoff.approve's rules) as an undoable edit.
    Raises signoff.SignoffError when it cannot be recorded."""
    trial = PostMortem(status=pm.status, reviewers=list(pm.reviewers), approvals=copy.deepcopy(pm.approvals))
    outcome = signoff.approve(trial, who, now, note=note, rule=rule)
    before = (pm.status, list(pm.reviewers), pm.approvals)
    after = (trial.status, trial.reviewers, trial.approvals)

    def put(state: tuple[str, list[str], list]) -> None:
        pm.status, pm.reviewers, pm.approvals = state[0], list(state[1]), state[2]

    label = f"approve as {outcome.who}"
    return Edit(Area.OVERVIEW, label, lambda: put(after), lambda: put(before), focus or "approvals"), outcome
