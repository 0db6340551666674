"""The Overview's "Team" section: what the team's .pmtui.toml brings to a
post-mortem — incident type, executive sponsor, runbook links, people in
the team's roles, its custom fields and the text of its own report
sections — as Overview fields, and the sign-off line (approvals).

Values of custom fields, roles and sections live in the file's [custom],
[roles] and [sections] tables; their edits are undoable entries
(pmtui.edits.team). Everything shown is plain text (printable).
"""

from __future__ import annotations

from typing import Any

from pmtui.edits.team import set_entry
from pmtui.model import PostMortem
from pmtui.session import Area
from pmtui.team import fields as custom
from pmtui.team import templates
from pmtui.team.config import TeamConfig
from pmtui.timeparse import format_utc
from pmtui.ui.panes.overview_fields import OverviewField

SECTION = "Team"


def _list_show(values: list[str] | None) -> str:
    return ", ".join(values or [])


def _list_parse(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def severity_labels(team: TeamConfig) -> dict[str, str]:
    """Each level as the severity select offers it, with its definition."""
    return {s.name: f"{s.name} — {s.description}" if s.description else s.name for s in team.severities}


def severity_hint(team: TeamConfig, value: object) -> str:
    level = team.severity(str(value or ""))
    if level is None:
        return ""
    policy = f"review within {team.review_within_days(level.name)} days"
    policy += f", share within {team.share_within_hours(level.name)} h"
    if level.sponsor_required:
        policy += ", executive sponsor for high-priority items"
    return f"{level.description} ({policy})" if level.description else policy


def type_hint(team: TeamConfig, value: object) -> str:
    kind = team.incident_type(str(value or ""))
    if kind is None:
        return ""
    relaxed = " Impact, detection and mitigation are not required." if kind.near_miss else ""
    return (kind.description + relaxed).strip()


def team_fields(team: TeamConfig, today: Any) -> list[OverviewField]:
    F = OverviewField
    me = lambda pm: pm  # noqa: E731
    out = [
        F("incident_type", "Type", SECTION, "select", lambda p: p.incident_type, me, "incident_type",
          options=tuple(t.name for t in team.types), parse=lambda t: t,
          hint=lambda v: type_hint(team, v)),
        F("sponsor", "Sponsor", SECTION, "input", lambda p: p.sponsor, me, "sponsor", parse=str.strip,
          placeholder="executive sponsor of high-priority items, e.g. @vp-eng"),
        F("runbooks", "Runbooks", SECTION, "input", lambda p: p.runbooks, me, "runbooks", show=_list_show,
          parse=_list_parse, placeholder="links, comma-separated"),
    ]
    roles = [(r.name, r.title) for r in team.roles]
    for role_name, title in roles:
        out.append(_entry_field(F, f"role-{role_name}", title, "roles", role_name, "input", _list_show, _list_parse,
                                placeholder="@alice, @bob"))
    for f in team.fields:
        label = f.title + (" *" if f.required else "")

        def parse(text: str, f: Any = f) -> Any:
            return custom.parse(f, text, today=today())

        kind = "select" if f.type == "choice" else "input"
        placeholder = {"people": "@alice, @bob", "date": "2025-02-16", "number": "3"}.get(f.type, f.help)
        out.append(_entry_field(F, f"custom-{f.name}", label, "custom", f.name, kind, custom.show, parse,
                                options=f.choices, placeholder=placeholder, hint=(lambda v, h=f.help: h)))
    for section in templates.prose_sections(team):
        questions = " ".join(section.questions)
        out.append(_entry_field(F, f"section-{section.key}", section.heading, "sections", section.key, "text",
                                lambda v: v or "", lambda t: t.strip(), hint=(lambda v, q=questions: q)))
    return out


def _entry_field(make: Any, name: str, label: str, table: str, key: str, kind: str, show: Any, parse: Any,
                 **extra: Any) -> OverviewField:
    def get(pm: PostMortem) -> Any:
        return getattr(pm, table).get(key)

    def edit_for(session_pm: PostMortem, value: Any) -> Any:
        return set_entry(Area.OVERVIEW, f"edit {label.lower().rstrip(' *')}", getattr(session_pm, table), key, value,
                         focus=name)

    return make(name, label, SECTION, kind, get, lambda pm: getattr(pm, table), key, show=show, parse=parse,
                edit=edit_for, **extra)


def approvals_line(pm: PostMortem) -> str:
    """The sign-off at a glance: who approved when, who is awaited."""
    done = {a.who.strip().lower().lstrip("@"): a for a in pm.approvals}
    parts = [f"{a.who} approved {format_utc(a.at, seconds=False)}" for a in pm.approvals]
    waiting = [r for r in pm.reviewers if r.strip() and r.strip().lower().lstrip("@") not in done]
    if waiting:
        parts.append("awaiting " + ", ".join(waiting))
    if not parts:
        return "no reviewers yet"
    return "; ".join(parts) + f" ({pm.status})"
