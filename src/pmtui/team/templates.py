"""Report templates: which sections a report has, in what order, under
which headings. Presets for the common public templates are data
(team/presets/*.toml); a team picks one by name in `.pmtui.toml` and may
reorder, rename and add sections of its own.

The built-in sections are report.py's; the ones here are drawn from the
same model (detection = TTD and the detection events, ...) or are prose the
team writes (kept under [sections] in the post-mortem), with the template's
questions shown while they are unanswered. Every piece of outside text is
redacted, then escaped for GFM, as in report.py.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files

from pmtui import markdown as md
from pmtui import report as base
from pmtui.model import PostMortem, TimelineEvent, format_duration
from pmtui.redact import redact
from pmtui.team.config import DEFAULT_SEVERITIES, TeamConfig
from pmtui.timeparse import format_clock, format_utc

EMPTY = base.EMPTY


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    prose: bool = False  # the team's own text, under [sections]
    questions: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()  # (section key, sub-heading)
    optional: bool = False  # left out when it has nothing to show


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    source: str
    sections: tuple[Section, ...]


# -- text helpers (redact first, then escape: see report.py) ---------------------------


def _inline(text: str) -> str:
    return md.inline(redact(text)) if text else ""


def _paragraphs(text: str) -> str:
    return md.paragraphs(redact(text)) if text and text.strip() else ""


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_inline(str(v)) for v in value if str(v).strip())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return md.fmt_date(value) if not hasattr(value, "hour") else format_utc(value) + " UTC"  # type: ignore[arg-type]
    return _inline(str(value))


def _clock(when: TimelineEvent, day: date | None) -> str:
    return format_clock(when.time) if when.time.date() == day else format_utc(when.time)


def _events(pm: PostMortem, kinds: tuple[str, ...]) -> list[str]:
    day = pm.incident_date
    rows = [ev for ev in base.sorted_timeline(pm) if ev.kind in kinds]
    return [f"- {_clock(ev, day)} UTC: {_inline(ev.event) or EMPTY}" + (f" ({_inline(ev.source)})" if ev.source else "")
            for ev in rows]


def _people(names: list[str], team: TeamConfig) -> str:
    out = []
    for name in names:
        person = team.person(name)
        shown = _inline(name)
        if person is not None and person.name:
            shown += f" ({_inline(person.name)})"
        out.append(shown)
    return ", ".join(out)


def _link(text: str) -> str:
    t = text.strip()
    if t.startswith(("http://", "https://")):
        return md.link(redact(t), redact(t))
    return _inline(t)


# -- sections drawn from the model ---------------------------------------------------------


def render_details(pm: PostMortem, team: TeamConfig) -> str:
    lines: list[tuple[str, str]] = []
    if pm.incident_type.strip():
        kind = team.incident_type(pm.incident_type)
        text = _inline(pm.incident_type)
        if kind is not None and kind.description:
            text += f" — {_inline(kind.description)}"
        lines.append(("Type", text))
    # The scale's definition when the team declared one (the built-in
    # suggestions are not worth a section of their own).
    level = team.severity(pm.severity) if pm.severity.strip() and team.severities is not DEFAULT_SEVERITIES else None
    if level is not None and level.description:
        lines.append(("Severity", f"{_inline(level.name)} — {_inline(level.description)}"))
    for role in team.roles:
        if pm.roles.get(role.name):
            lines.append((_inline(role.title), _people(pm.roles[role.name], team)))
    for name, people in pm.roles.items():
        if team.role_def(name) is None and people:
            lines.append((_inline(name.replace("_", " ").capitalize()), _people(people, team)))
    if pm.sponsor.strip():
        lines.append(("Executive sponsor", _people([pm.sponsor], team)))
    for fdef in team.fields:
        if fdef.name in pm.custom and str(pm.custom[fdef.name]).strip():
            lines.append((_inline(fdef.title), _value(pm.custom[fdef.name])))
    for name, value in pm.custom.items():
        if team.field_def(name) is None and str(value).strip():
            lines.append((_inline(name.replace("_", " ").capitalize()), _value(value)))
    if pm.review_meeting is not None:
        lines.append(("Review meeting", format_utc(pm.review_meeting, seconds=False) + " UTC"))
    body = "  \n".join(f"**{label}**: {value}" for label, value in lines)
    if pm.runbooks:
        links = "\n".join(f"- {_link(r)}" for r in pm.runbooks if r.strip())
        body += ("\n\n" if body else "") + "**Runbooks**:\n\n" + links
    return body


def render_trigger(pm: PostMortem, team: TeamConfig) -> str:
    return _paragraphs(pm.trigger) or EMPTY


def render_root_causes(pm: PostMortem, team: TeamConfig) -> str:
    parts = [p for p in (_paragraphs(pm.root_cause),) if p]
    factors = [f"- **{_inline((f.category or 'other').capitalize())}**: {_inline(f.text) or EMPTY}"
               for f in pm.factors]
    if factors:
        parts.append("Contributing factors:\n\n" + "\n".join(factors))
    return "\n\n".join(parts) or EMPTY


def _with_measure(label: str, delta: timedelta | None, lines: list[str]) -> str:
    head = f"**{label}**: {format_duration(delta)}" if delta is not None else ""
    return "\n\n".join(p for p in (head, "\n".join(lines)) if p)


def render_detection(pm: PostMortem, team: TeamConfig) -> str:
    return _with_measure("Time to detect", pm.time_to_detect, _events(pm, ("detection",))) or base.NOT_RECORDED


def render_resolution(pm: PostMortem, team: TeamConfig) -> str:
    parts = [_with_measure("Time to mitigate", pm.time_to_mitigate, _events(pm, ("mitigation",))),
             _with_measure("Time to resolve", pm.time_to_resolve, _events(pm, ("resolution",)))]
    return "\n\n".join(p for p in parts if p) or base.NOT_RECORDED


def render_response(pm: PostMortem, team: TeamConfig) -> str:
    lines = _events(pm, ("escalation", "action", "communication"))
    responders = render_responders(pm, team)
    return "\n\n".join(p for p in (responders if responders != EMPTY else "", "\n".join(lines)) if p) or EMPTY


def render_responders(pm: PostMortem, team: TeamConfig) -> str:
    rows = []
    for role in team.roles:
        rows.append([_inline(role.title), _people(pm.roles.get(role.name, []), team) or "-"])
    for name, people in pm.roles.items():
        if team.role_def(name) is None:
            rows.append([_inline(name.replace("_", " ").capitalize()), _people(people, team) or "-"])
    actors = sorted({ev.actor for ev in pm.timeline if ev.actor.strip() and ev.actor.strip() not in ("-", "System")})
    if actors:
        rows.append(["In the timeline", _people(actors, team)])
    return md.table(["Role", "People"], rows) if rows else EMPTY


def render_whys(pm: PostMortem, team: TeamConfig) -> str:
    chunks = []
    if pm.problem.strip():
        chunks.append(f"**Problem**: {_inline(pm.problem)}")
    chains = pm.why_chains()
    for n, chain in enumerate(chains, 1):
        chunks.append(f"**Chain {n}** ({len(chain)} deep)")
        chunks.append("\n".join(f"{i}. {_inline(w.text) or EMPTY}" for i, w in enumerate(chain, 1)))
    if not chains:
        chunks.append(EMPTY)
    return "\n\n".join(chunks)


def render_supporting(pm: PostMortem, team: TeamConfig) -> str:
    parts = []
    if pm.runbooks:
        parts.append("**Runbooks**:\n\n" + "\n".join(f"- {_link(r)}" for r in pm.runbooks if r.strip()))
    if pm.evidence:
        rows = [[md.cell(redact(e.kind)), md.cell(redact(e.source)), md.cell(redact(e.path)), md.cell(e.sha256[:12])]
                for e in pm.evidence]
        parts.append(md.table(["Evidence", "Source", "File", "sha256"], rows))
    if pm.gaps:
        parts.append("**Data gaps**:\n\n" + base.render_gaps(pm))
    return "\n\n".join(parts) or EMPTY


def render_signoff(pm: PostMortem, team: TeamConfig) -> str:
    # A draft not yet sent for review has nothing to sign off.
    if not pm.approvals and (pm.status == "draft" or not pm.reviewers):
        return ""
    approved = {a.who.strip().lower() for a in pm.approvals}
    rows = [[_inline(a.who), format_utc(a.at, seconds=False) + " UTC", md.cell(redact(a.note))] for a in pm.approvals]
    rows += [[_inline(r), "_awaiting approval_", "-"] for r in pm.reviewers if r.strip().lower() not in approved]
    return f"**Status**: {_inline(pm.status) or 'draft'}\n\n" + md.table(["Reviewer", "Approved (UTC)", "Note"], rows)


DERIVED: dict[str, tuple[str, Callable[[PostMortem, TeamConfig], str]]] = {
    "details": ("Incident Details", render_details),
    "trigger": ("Trigger", render_trigger),
    "root_causes": ("Root Causes", render_root_causes),
    "detection": ("Detection", render_detection),
    "resolution": ("Resolution", render_resolution),
    "response": ("Response", render_response),
    "recovery": ("Recovery", render_resolution),
    "responders": ("Responders", render_responders),
    "whys": ("Five Whys", render_whys),
    "supporting": ("Supporting Information", render_supporting),
    "signoff": ("Sign-off", render_signoff),
}
_BUILTIN_TITLES = {key: title for key, title, _fn in base.SECTIONS}


# -- presets -----------------------------------------------------------------------------------

PRESET_FILES = ("procedure", "google-sre", "atlassian", "pagerduty")


def _section(row: dict) -> Section:
    key = row["key"]
    heading = row.get("heading") or _BUILTIN_TITLES.get(key) or DERIVED.get(key, (key.replace("_", " ").title(),))[0]
    parts = []
    for part in row.get("parts", []):
        pkey, _, ptitle = part.partition(":")
        parts.append((pkey, ptitle or _BUILTIN_TITLES.get(pkey) or DERIVED.get(pkey, (pkey,))[0]))
    return Section(key, heading, bool(row.get("prose")), tuple(row.get("questions", ())), tuple(parts),
                   bool(row.get("optional")))


@cache
def presets() -> dict[str, Template]:
    out = {}
    folder = files("pmtui.team") / "presets"
    for name in PRESET_FILES:
        data = tomllib.loads((folder / f"{name}.toml").read_text(encoding="utf-8"))
        out[name] = Template(data["name"], data["title"], data.get("source", ""),
                             tuple(_section(r) for r in data["sections"]))
    return out


PRESETS = PRESET_FILES
_PRESET_PROSE = ("leadup", "fault", "backlog_check", "recurrence", "what_happened", "messaging", "lessons_learned",
                 "how_did_we_do")
SECTION_KEYS = tuple(base.SECTION_KEYS) + tuple(DERIVED) + _PRESET_PROSE


# -- the template a team gets ---------------------------------------------------------------------


def template_for(team: TeamConfig) -> Template:
    """The team's preset with its order, headings and extra sections applied."""
    preset = presets().get(team.report.template) or presets()["procedure"]
    pool: dict[str, Section] = {s.key: s for t in presets().values() for s in t.sections}
    pool.update({s.key: s for s in preset.sections})
    sections = list(preset.sections)
    if team.report.order:
        sections = [pool.get(k) or _section({"key": k}) for k in team.report.order if k in pool or k in _BUILTIN_TITLES
                    or k in DERIVED]
    keys = [s.key for s in sections]
    for extra in team.report.sections:
        section = Section(extra.key, extra.heading, True, extra.questions)
        if extra.key in keys:
            sections[keys.index(extra.key)] = section
            continue
        anchor = extra.after if extra.after in keys else ("gaps" if "gaps" in keys else "")
        at = keys.index(anchor) + 1 if anchor else len(sections)
        if not extra.after and anchor == "gaps":
            at -= 1  # before the data gaps, which close the analysis
        sections.insert(at, section)
        keys.insert(at, extra.key)
    renamed = []
    for s in sections:
        heading = team.report.headings.get(s.key)
        renamed.append(Section(s.key, heading, s.prose, s.questions, s.parts, s.optional) if heading else s)
    return Template(preset.name, preset.title, preset.source, tuple(renamed))


def prose_sections(team: TeamConfig) -> list[Section]:
    """The sections whose text the team writes (the Overview edits them)."""
    return [s for s in template_for(team).sections if s.prose]


# -- rendering ----------------------------------------------------------------------------------------


def _body(pm: PostMortem, team: TeamConfig, section: Section) -> str:
    if section.parts:
        chunks = [_paragraphs(pm.sections.get(section.key, ""))]
        for key, title in section.parts:
            chunks.append(f"### {md.heading(title)}\n\n{_part(pm, team, key)}")
        return "\n\n".join(c for c in chunks if c)
    own = _paragraphs(pm.sections.get(section.key, ""))
    if section.prose:
        if own:
            return own
        if section.questions:
            return "_Not written yet. To answer:_\n\n" + "\n".join(f"- {_inline(q)}" for q in section.questions)
        return EMPTY
    derived = _part(pm, team, section.key)
    if own and derived not in (EMPTY, base.NOT_RECORDED, ""):
        return own + "\n\n" + derived
    return own or derived


def _part(pm: PostMortem, team: TeamConfig, key: str) -> str:
    if key in DERIVED:
        return DERIVED[key][1](pm, team)
    if key in _BUILTIN_TITLES:
        return base.section_body(pm, key)
    return _paragraphs(pm.sections.get(key, "")) or EMPTY


def render_section(pm: PostMortem, team: TeamConfig, section: Section) -> str:
    """One section's Markdown with its heading ("" for an optional section
    with nothing to show)."""
    if section.key == "header":
        return base.render_header(pm)
    body = _body(pm, team, section)
    if section.optional and not body.strip():
        return ""
    return f"## {md.heading(section.heading)}\n\n{body}"


def render_sections(pm: PostMortem, team: TeamConfig) -> list[tuple[str, str, str]]:
    """(key, heading, markdown with its heading) for each section shown."""
    out = []
    for section in template_for(team).sections:
        body = _body(pm, team, section)
        if section.optional and not body.strip():
            continue
        if section.key == "header":
            out.append((section.key, section.heading, base.render_header(pm)))
            continue
        out.append((section.key, section.heading, f"## {md.heading(section.heading)}\n\n{body}"))
    return out


def render(pm: PostMortem, team: TeamConfig | None = None) -> str:
    """The whole report in the team's template (the procedure's by default)."""
    team = team or TeamConfig()
    return "\n\n".join(text for _key, _title, text in render_sections(pm, team)) + "\n"
