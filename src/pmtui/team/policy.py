"""The checklist as a team runs it: checks.CHECKS with the team's
thresholds (share within N hours, review within N days for P1, five whys
or three...), its disabled checks, near-misses relaxed (no impact, no
detection or mitigation required), the blameless lint seeing the team's
people, and the checks team conventions add: custom fields, roles, the
executive sponsor, the review meeting, approvals, the config itself.
"""

from __future__ import annotations

__all__ = ["CHECK_IDS", "TEAM_CHECKS", "TITLES", "run"]

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time, timedelta

from pmtui import blame, checks
from pmtui.checks import FAIL, PASS, WARN, CheckResult
from pmtui.model import PostMortem
from pmtui.team.config import DEFAULT_SEVERITIES, DEFAULT_TYPES, TeamConfig
from pmtui.team.fields import field_problem
from pmtui.team.ids import CHECK_IDS, TEAM_CHECKS, TITLES
from pmtui.team.load import ConfigProblem

Check = Callable[[PostMortem, datetime], list[CheckResult]]


def team_people(pm: PostMortem, team: TeamConfig) -> blame.People:
    extra: list[str] = []
    for p in team.people:
        extra += [p.handle, p.name, *p.aliases]
    return blame.people_in(pm, extra)


def base_checks(team: TeamConfig, pm: PostMortem) -> list[tuple[str, str, Check]]:
    """checks.CHECKS with the team's thresholds bound in."""
    pol = team.checks
    near = team.is_near_miss(pm.incident_type)
    people = team_people(pm, team)
    bound: dict[str, Check] = {
        "times.recorded": lambda p, n: checks.check_times(p, n, ("started", "resolved") if near else checks._ALL_TIMES),
        "timeline.complete": lambda p, n: checks.check_timeline_complete(
            p, n, ("resolution",) if near else ("detection", "mitigation", "resolution")),
        "factors.multiple": lambda p, n: checks.check_factors(p, n, pol.min_factors),
        "whys.depth": lambda p, n: checks.check_whys(p, n, pol.why_depth),
        "language.blameless": lambda p, n: checks.check_blame(p, n, people),
        "review.follow_up": lambda p, n: checks.check_follow_up(
            p, n, timedelta(days=pol.follow_up_min_days), timedelta(days=pol.follow_up_max_days)),
        "report.shared": lambda p, n: checks.check_shared(p, n, timedelta(hours=team.share_within_hours(p.severity))),
        "content.filled": lambda p, n: checks.check_content(p, n, impact=not near),
    }
    return [(cid, title, bound.get(cid, fn)) for cid, title, fn in checks.CHECKS]


# -- the checks team conventions add ------------------------------------------------------------


def check_fields(pm: PostMortem, team: TeamConfig) -> list[CheckResult]:
    cid = "fields.custom"
    out = []
    for f in team.fields:
        message = field_problem(f, pm.custom.get(f.name))
        if message:
            out.append(CheckResult(cid, FAIL if message.startswith(("required", "expected", "not one")) else WARN,
                                   f"{f.title}: {message}", "custom", f.name, f.help or "Fill it in in the Overview."))
    for name in pm.custom:
        if team.field_def(name) is None and team.fields:
            out.append(CheckResult(cid, WARN, f"custom.{name} is not a field of .pmtui.toml (kept as it is)", "custom",
                                   name, "Declare it under [[fields]] or remove it."))
    if out:
        return out
    if not team.fields:
        return []
    return [CheckResult(cid, PASS, f"{len(team.fields)} custom field(s) valid", "custom")]


def check_roles(pm: PostMortem, team: TeamConfig) -> list[CheckResult]:
    cid = "roles.assigned"
    missing = [r for r in team.roles if r.required and not [p for p in pm.roles.get(r.name, []) if p.strip()]]
    if missing:
        return [CheckResult(cid, FAIL, f"no one named as {r.title}", "roles", r.name,
                            r.help or "Name who held the role in the Overview (roles).") for r in missing]
    if not team.roles:
        return []
    held = sum(1 for r in team.roles if pm.roles.get(r.name))
    return [CheckResult(cid, PASS, f"{held} of {len(team.roles)} roles named", "roles")]


def check_sponsor(pm: PostMortem, team: TeamConfig) -> list[CheckResult]:
    cid = "actions.sponsor"
    high = [a.id for a in pm.actions if a.priority == "high" and a.status != "done"]
    level = team.severity(pm.severity)
    needed = bool(high) and (level is None or level.sponsor_required or level is team.severities[0])
    if not needed:
        return []
    if pm.sponsor.strip():
        return [CheckResult(cid, PASS, f"{pm.sponsor} sponsors {len(high)} high-priority item(s)", "header")]
    return [CheckResult(cid, WARN if level is None else FAIL,
                        f"{len(high)} high-priority action item(s) ({', '.join(high)}) and no executive sponsor",
                        "header", "sponsor", "If action items languish, incidents recur: name an executive sponsor.")]


def _review_due(pm: PostMortem, team: TeamConfig) -> tuple[datetime, int] | None:
    if pm.times.started is None:
        return None
    days = team.review_within_days(pm.severity)
    day = (pm.times.started + timedelta(days=days)).date()
    return datetime.combine(day, time(23, 59, 59), UTC), days


def check_review_meeting(pm: PostMortem, team: TeamConfig, now: datetime) -> list[CheckResult]:
    cid = "review.meeting"
    due = _review_due(pm, team)
    if due is None:
        return [CheckResult(cid, WARN, "no incident start; the review meeting's due date is unknown", "durations")]
    when, days = due
    policy = f"within {days} days of the incident" + (f" for {pm.severity}" if pm.severity else "")
    held = datetime.combine(pm.reviewed, time(12), UTC) if pm.reviewed else None
    booked = pm.review_meeting
    if held is not None:
        ok = held <= when
        return [CheckResult(cid, PASS if ok else WARN, f"reviewed {pm.reviewed}; policy: {policy}", "header",
                            suggestion="" if ok else "Note what delayed the review.")]
    if booked is not None:
        ok = booked <= when
        message = f"review meeting booked for {checks._fmt(booked)}; policy: {policy}"
        return [CheckResult(cid, PASS if ok else WARN, message, "header",
                            suggestion="" if ok else "Move the meeting earlier (pmtui invite --at ...).")]
    return [CheckResult(cid, WARN if now <= when else FAIL,
                        f"no review meeting booked; policy: {policy} (by {when.date()})", "header",
                        suggestion="Book it now, before the report is finished: pmtui invite FILE.")]


def check_approvals(pm: PostMortem, team: TeamConfig) -> list[CheckResult]:
    cid = "review.approvals"
    rule = team.checks.approvals
    if rule == "none":
        return []
    approved = {a.who.strip().lower() for a in pm.approvals}
    reviewers = [r for r in pm.reviewers if r.strip()]
    if not reviewers and not pm.approvals:
        level = FAIL if pm.status == "published" else WARN
        return [CheckResult(cid, level, "no reviewers named", "header", "reviewers",
                            "Name the reviewers who sign the report off.")]
    missing = [r for r in reviewers if r.strip().lower() not in approved]
    if rule == "any":
        missing = [] if approved else missing
    if not missing:
        who = ", ".join(a.who for a in pm.approvals)
        return [CheckResult(cid, PASS, f"approved by {who}", "header")]
    level = FAIL if pm.status == "published" else WARN
    return [CheckResult(cid, level, f"awaiting approval from {', '.join(missing)}", "header", "approvals",
                        "Each reviewer signs off: pmtui approve FILE --as @handle (or the Overview's approve key).")]


def check_config(pm: PostMortem, team: TeamConfig, problems: Iterable[ConfigProblem]) -> list[CheckResult]:
    cid = "team.conventions"
    out = [CheckResult(cid, WARN, p.format(), "config", None, "Fix .pmtui.toml; until then its defaults are used.")
           for p in problems if p.level == "error"]
    declared = team.severities is not DEFAULT_SEVERITIES
    if declared and pm.severity.strip() and team.severity(pm.severity) is None:
        scale = ", ".join(s.name for s in team.severities)
        out.append(CheckResult(cid, WARN, f"severity {pm.severity!r} is not on the team's scale ({scale})", "header",
                               "severity", "Pick one of the scale's levels in the Overview."))
    if team.types is not DEFAULT_TYPES and pm.incident_type.strip() and team.incident_type(pm.incident_type) is None:
        kinds = ", ".join(t.name for t in team.types)
        out.append(CheckResult(cid, WARN, f"incident type {pm.incident_type!r} is not one of {kinds}", "header",
                               "incident_type"))
    return out


def run(pm: PostMortem, team: TeamConfig | None = None, *, now: datetime | None = None,
        problems: Iterable[ConfigProblem] = ()) -> list[CheckResult]:
    """Every check the team runs, in checklist order, then the team's own."""
    team = team or TeamConfig()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    disabled = team.checks.disable
    results: list[CheckResult] = []
    for cid, _title, fn in base_checks(team, pm):
        if cid not in disabled:
            results.extend(fn(pm, now))
    results.extend(team_results(pm, team, now, problems))
    return results


def team_results(pm: PostMortem, team: TeamConfig, now: datetime,
                 problems: Iterable[ConfigProblem] = ()) -> list[CheckResult]:
    """The checks team conventions add, after the procedure's."""
    disabled = team.checks.disable
    results: list[CheckResult] = []
    own: list[tuple[str, Callable[[], list[CheckResult]]]] = [
        ("fields.custom", lambda: check_fields(pm, team)),
        ("roles.assigned", lambda: check_roles(pm, team)),
        ("actions.sponsor", lambda: check_sponsor(pm, team)),
        ("review.meeting", lambda: check_review_meeting(pm, team, now)),
        ("review.approvals", lambda: check_approvals(pm, team)),
        ("team.conventions", lambda: check_config(pm, team, problems)),
    ]
    for cid, own_check in own:
        if cid not in disabled:
            results.extend(own_check())
    return results
