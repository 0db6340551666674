"""The ids of every check a team may run or disable (.pmtui.toml [checks] disable)."""

from __future__ import annotations

from pmtui import checks

TEAM_CHECKS: tuple[tuple[str, str], ...] = (
    ("fields.custom", "Custom fields filled in and valid"),
    ("roles.assigned", "Incident roles assigned"),
    ("actions.sponsor", "Executive sponsor for high-priority items"),
    ("review.meeting", "Review meeting held within the policy's days"),
    ("review.approvals", "Reviewers approved"),
    ("team.conventions", "Team conventions (.pmtui.toml) readable"),
)
CHECK_IDS = tuple(cid for cid, _t, _f in checks.CHECKS) + tuple(cid for cid, _t in TEAM_CHECKS)
TITLES = {cid: title for cid, title, _f in checks.CHECKS} | dict(TEAM_CHECKS)
