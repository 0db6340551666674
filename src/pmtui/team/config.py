"""A team's conventions as plain data: what `.pmtui.toml` declares, each
setting with its default, so code that reads a TeamConfig never has to ask
whether a file was found.

No I/O here (team.load reads files); no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FIELD_TYPES = ("text", "choice", "number", "date", "people")
APPROVAL_RULES = ("reviewers", "any", "none")


@dataclass(frozen=True)
class Severity:
    name: str
    description: str = ""
    review_within_days: int | None = None  # None: checks.review_within_days
    share_within_hours: int | None = None  # None: checks.share_within_hours
    sponsor_required: bool = False  # high-priority action items need an executive sponsor


@dataclass(frozen=True)
class IncidentType:
    name: str
    description: str = ""
    near_miss: bool = False  # relaxes the impact and detection/mitigation checks


@dataclass(frozen=True)
class FieldDef:
    """A custom field: its value lives under [custom] in the post-mortem."""

    name: str
    label: str = ""
    type: str = "text"  # one of FIELD_TYPES
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RoleDef:
    name: str
    label: str = ""
    required: bool = False
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Person:
    handle: str  # "@alice"
    name: str = ""  # "Alice Chen": the blameless lint sees it in prose
    github: str = ""  # login for export assignees; "" = the handle without "@"
    email: str = ""  # for invitations
    aliases: tuple[str, ...] = ()  # other names prose uses for them ("Ali")


@dataclass(frozen=True)
class ExtraSection:
    """A section of the team's own in the report; its text lives under
    [sections] in the post-mortem, keyed by `key`."""

    key: str
    heading: str
    after: str = ""  # a section key; "" = before the data gaps at the end
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSettings:
    template: str = "procedure"  # a preset's name (team.templates.PRESETS)
    order: tuple[str, ...] = ()  # section keys; () = the template's order
    headings: dict[str, str] = field(default_factory=dict)  # key -> heading
    sections: tuple[ExtraSection, ...] = ()


@dataclass(frozen=True)
class CheckPolicy:
    disable: frozenset[str] = frozenset()
    share_within_hours: int = 48
    review_within_days: int = 5
    follow_up_min_days: int = 21
    follow_up_max_days: int = 42
    why_depth: int = 5
    min_factors: int = 2
    approvals: str = "reviewers"  # every reviewer | any one | none needed


@dataclass(frozen=True)
class ExportMapping:
    labels: tuple[str, ...] = ()  # added to every exported issue
    priority_labels: dict[str, str] = field(default_factory=dict)  # "high" -> "P1"
    assignees: dict[str, str] = field(default_factory=dict)  # "@alice" -> "alice-gh"


@dataclass(frozen=True)
class NewDefaults:
    template: str = ""  # a post-mortem file `pmtui new` starts from, relative to the config
    severity: str = ""
    incident_type: str = ""
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True)
class InviteSettings:
    duration_minutes: int = 60
    follow_up_minutes: int = 30
    hour: int = 14  # local hour of day a meeting is proposed at, in the user's zone
    organizer: str = ""  # an email address


@dataclass(frozen=True)
class PublishSettings:
    repo: str = ""  # OWNER/NAME on the user's GitHub (never the API's address)
    path: str = "postmortems"  # folder in that repository
    include_toml: bool = False
    base: str = ""  # branch the pull request targets; "" = the repository's default


DEFAULT_SEVERITIES = (
    Severity("SEV1", "Critical: customer-facing outage, data loss or a security breach",
             review_within_days=3, share_within_hours=24, sponsor_required=True),
    Severity("SEV2", "Major: a key feature degraded for many customers", review_within_days=5),
    Severity("SEV3", "Minor: partial degradation with a workaround"),
    Severity("SEV4", "Low: little or no customer impact"),
    Severity("SEV5", "Cosmetic, or internal only"),
)
DEFAULT_TYPES = (
    IncidentType("incident", "Customers or users were affected"),
    IncidentType("near-miss", "Caught before it harmed anyone", near_miss=True),
)


@dataclass(frozen=True)
class TeamConfig:
    files: tuple[Path, ...] = ()  # the .pmtui.toml files merged, nearest first
    severities: tuple[Severity, ...] = DEFAULT_SEVERITIES
    types: tuple[IncidentType, ...] = DEFAULT_TYPES
    fields: tuple[FieldDef, ...] = ()
    roles: tuple[RoleDef, ...] = ()
    people: tuple[Person, ...] = ()
    report: ReportSettings = field(default_factory=ReportSettings)
    checks: CheckPolicy = field(default_factory=CheckPolicy)
    export: ExportMapping = field(default_factory=ExportMapping)
    new: NewDefaults = field(default_factory=NewDefaults)
    invite: InviteSettings = field(default_factory=InviteSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    extra: dict[str, object] = field(default_factory=dict)  # keys this pmtui does not know, kept

    def severity(self, name: str) -> Severity | None:
        key = name.strip().lower()
        return next((s for s in self.severities if s.name.lower() == key), None)

    def incident_type(self, name: str) -> IncidentType | None:
        key = (name.strip() or "incident").lower()
        return next((t for t in self.types if t.name.lower() == key), None)

    def is_near_miss(self, name: str) -> bool:
        kind = self.incident_type(name)
        return kind.near_miss if kind is not None else name.strip().lower() in ("near-miss", "near miss")

    def field_def(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    def role_def(self, name: str) -> RoleDef | None:
        return next((r for r in self.roles if r.name == name), None)

    def review_within_days(self, severity: str) -> int:
        level = self.severity(severity)
        if level is not None and level.review_within_days is not None:
            return level.review_within_days
        return self.checks.review_within_days

    def share_within_hours(self, severity: str) -> int:
        level = self.severity(severity)
        if level is not None and level.share_within_hours is not None:
            return level.share_within_hours
        return self.checks.share_within_hours

    def person(self, handle: str) -> Person | None:
        key = handle.strip().lower().lstrip("@")
        return next((p for p in self.people if p.handle.lower().lstrip("@") == key), None)

    def github_login(self, handle: str) -> str:
        """The GitHub login for a person named in the file."""
        mapped = self.export.assignees.get(handle) or self.export.assignees.get(handle.lstrip("@"))
        if mapped:
            return mapped.lstrip("@")
        person = self.person(handle)
        if person is not None and person.github:
            return person.github.lstrip("@")
        return handle.strip().lstrip("@")
