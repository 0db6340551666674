"""Finding and reading `.pmtui.toml`.

Found like `.editorconfig`: every `.pmtui.toml` from the post-mortem's
folder up to the filesystem's root (or to the first one that says
`root = true`) is read, and nearer files override farther ones key by key
(tables merge, anything else — arrays included — is replaced).

A bad file never stops a post-mortem from opening: each problem comes back
with its file, line, column, field and what was expected, the bad value is
dropped and its default used. Keys this pmtui does not know are warned
about (a typo is the usual reason) and kept in `TeamConfig.extra`.

A shared file must never decide where a user's credentials go: keys that
would name an API endpoint or a token are refused here.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmtui.team.config import (
    APPROVAL_RULES,
    FIELD_TYPES,
    CheckPolicy,
    ExportMapping,
    ExtraSection,
    FieldDef,
    IncidentType,
    InviteSettings,
    NewDefaults,
    Person,
    PublishSettings,
    ReportSettings,
    RoleDef,
    Severity,
    TeamConfig,
)

FILENAME = ".pmtui.toml"
ERROR, WARNING = "error", "warning"
MAX_BYTES = 1_000_000  # a config is a page of settings; anything bigger is not one


@dataclass(frozen=True)
class ConfigProblem:
    path: str
    line: int  # 1-based, 0 = the file as a whole
    column: int
    field: str
    message: str
    level: str = ERROR

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        tag = "" if self.level == ERROR else "warning: "
        return f"{where}: {tag}{self.field}: {self.message}" if self.field else f"{where}: {tag}{self.message}"


@dataclass(frozen=True)
class TeamResult:
    config: TeamConfig
    problems: tuple[ConfigProblem, ...] = ()

    @property
    def errors(self) -> tuple[ConfigProblem, ...]:
        return tuple(p for p in self.problems if p.level == ERROR)


# -- discovery ------------------------------------------------------------------


def find_configs(start: str | Path) -> list[Path]:
    """The .pmtui.toml files that apply to a post-mortem in (or at) `start`,
    nearest first; the walk stops after a file whose `root = true`."""
    here = Path(start).absolute()
    if not here.is_dir():
        here = here.parent
    out: list[Path] = []
    for folder in (here, *here.parents):
        candidate = folder / FILENAME
        if candidate.is_file():
            out.append(candidate)
            if _says_root(candidate):
                break
    return out


def _says_root(path: Path) -> bool:
    try:
        head = path.read_bytes()[:MAX_BYTES].decode("utf-8", "replace")
    except OSError:
        return False
    # Only the top-level table can say it; a cheap look saves a parse.
    top = re.split(r"(?m)^[ \t]*\[", head, maxsplit=1)[0]
    return re.search(r"(?m)^[ \t]*root[ \t]*=[ \t]*true\b", top) is not None


def load_team(start: str | Path | None) -> TeamResult:
    """The team config for a post-mortem at `start` (a file or folder);
    defaults alone when no .pmtui.toml applies or start is None."""
    if start is None:
        return TeamResult(TeamConfig())
    return load_files(find_configs(start))


def load_files(paths: list[Path]) -> TeamResult:
    problems: list[ConfigProblem] = []
    layers: list[dict] = []
    for path in paths:
        data, found = read_one(path)
        problems += found
        layers.append(data)
    merged: dict = {}
    for layer in reversed(layers):  # farthest first, nearer override
        merged = _merge(merged, layer)
    config = _build(merged, tuple(paths))
    return TeamResult(config, tuple(problems))


def loads_team(text: str, path: str = FILENAME) -> TeamResult:
    """One config from text (tests, `pmtui team --stdin`)."""
    data, problems = _validate_text(text, path)
    return TeamResult(_build(data, (Path(path),)), tuple(problems))


def read_one(path: Path) -> tuple[dict, list[ConfigProblem]]:
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {}, [ConfigProblem(where, 0, 0, "", f"cannot read it: {exc.strerror or exc}; defaults used")]
    if len(raw) > MAX_BYTES:
        return {}, [ConfigProblem(where, 0, 0, "", f"is {len(raw):,} bytes, not a settings file; defaults used")]
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return {}, [ConfigProblem(where, line, 1, "", "not UTF-8 text; save it as UTF-8 (defaults used)")]
    return _validate_text(text, where)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


# -- where a key sits ----------------------------------------------------------------

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\]#]+?)[ \t]*\]\]?")
_KEYPART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_KEYLINE = re.compile(rf"^[ \t]*({_KEYPART}(?:[ \t]*\.[ \t]*{_KEYPART})*)[ \t]*=[ \t]*")


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", text)
    return tuple(a or b or c for a, b, c in parts)


class _Places:
    """Line and column of every table header and `key =` in a TOML text
    (arrays of tables get their element's index in the path). Good enough
    to point at a setting; the parse itself is tomllib's."""

    def __init__(self, text: str) -> None:
        self.at: dict[tuple, tuple[int, int]] = {}
        counts: dict[tuple, int] = {}
        table: tuple = ()
        in_multiline = False
        for n, line in enumerate(text.split("\n"), 1):
            if in_multiline:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = False
                continue
            m = _HEADER.match(line)
            if m:
                name = _split_key(m.group(2))
                if m.group(1) == "[[":
                    parent = self._resolve(name[:-1])
                    base = parent + name[-1:]
                    index = counts.get(base, 0)
                    counts[base] = index + 1
                    table = (*base, index)
                else:
                    table = self._resolve(name)
                self.at.setdefault(table, (n, m.start(1) + 1))
                continue
            m = _KEYLINE.match(line)
            if m:
                self.at.setdefault(table + _split_key(m.group(1)), (n, m.end() + 1))
                rest = line[m.end():]
                if rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1:
                    in_multiline = True

    def _resolve(self, name: tuple) -> tuple:
        """`[report.headings]` under the last [[report]] element, if any."""
        out: tuple = ()
        for part in name:
            out += (part,)
            last = max((k[-1] for k in self.at if len(k) == len(out) + 1 and k[:-1] == out
                        and isinstance(k[-1], int)), default=None)
            if last is not None:
                out += (last,)
        return out

    def find(self, path: tuple) -> tuple[int, int]:
        for k in range(len(path), 0, -1):
            if path[:k] in self.at:
                return self.at[path[:k]]
        return (0, 0)


def _field(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


# -- what each key holds ---------------------------------------------------------------

_KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# Keys that would let a shared file choose where credentials are sent.
_FORBIDDEN = re.compile(
    r"(^|_)(base_?url|api_?url|url|endpoint|host|server|token|password|secret|credentials?|auth)($|_)", re.IGNORECASE)
_FORBIDDEN_MESSAGE = (
    "not allowed in a shared .pmtui.toml: where credentials go (API addresses, tokens) comes only from your "
    "command line (--base-url), your environment or your own ~/.config/pmtui/config.toml"
)

Spec = Any  # "str" | "bool" | ... | ("array", {...}) | ("table", {...}) | ("map", kind) | ("enum", (...))

_SEVERITY: dict[str, Spec] = {"name": "name!", "description": "str", "review_within_days": "posint",
                              "share_within_hours": "posint", "sponsor_required": "bool"}
_TYPE: dict[str, Spec] = {"name": "name!", "description": "str", "near_miss": "bool"}
_FIELD: dict[str, Spec] = {"name": "key!", "label": "str", "type": ("enum", FIELD_TYPES), "choices": "strlist",
                           "required": "bool", "help": "str"}
_ROLE: dict[str, Spec] = {"name": "key!", "label": "str", "required": "bool", "help": "str"}
_PERSON: dict[str, Spec] = {"handle": "name!", "name": "str", "github": "str", "email": "str", "aliases": "strlist"}
_SECTION: dict[str, Spec] = {"key": "key!", "heading": "name!", "after": "str", "questions": "strlist"}
SPEC: dict[str, Spec] = {
    "root": "bool",
    "severity": ("array", _SEVERITY),
    "types": ("array", _TYPE),
    "fields": ("array", _FIELD),
    "roles": ("array", _ROLE),
    "people": ("array", _PERSON),
    "report": ("table", {"template": "str", "order": "strlist", "headings": ("map", "str"),
                         "sections": ("array", _SECTION)}),
    "checks": ("table", {"disable": "strlist", "share_within_hours": "posint", "review_within_days": "posint",
                         "follow_up_min_days": "posint", "follow_up_max_days": "posint", "why_depth": "posint",
                         "min_factors": "posint", "approvals": ("enum", APPROVAL_RULES)}),
    "export": ("table", {"labels": "strlist", "priority_labels": ("map", "str"), "assignees": ("map", "str")}),
    "new": ("table", {"template": "str", "severity": "str", "incident_type": "str", "reviewers": "strlist"}),
    "invite": ("table", {"duration_minutes": "posint", "follow_up_minutes": "posint", "hour": "hour",
                         "organizer": "str"}),
    "publish": ("table", {"repo": "repo", "path": "str", "include_toml": "bool", "base": "str"}),
}

_EXPECT = {
    "str": "text in quotes",
    "name!": "non-empty text in quotes",
    "key!": "a key such as customer_tier (letters, digits, _ or -, starting with a letter)",
    "bool": "true or false",
    "posint": "a whole number of 1 or more",
    "hour": "an hour of the day, 0 to 23",
    "strlist": 'an array of strings such as ["a", "b"]',
    "repo": "OWNER/NAME, such as acme/postmortems",
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class _Validator:
    def __init__(self, where: str, places: _Places) -> None:
        self.where = where
        self.places = places
        self.problems: list[ConfigProblem] = []

    def report(self, path: tuple, message: str, level: str = ERROR) -> None:
        line, col = self.places.find(path)
        self.problems.append(ConfigProblem(self.where, line, col, _field(path), message, level))

    def scalar(self, path: tuple, value: object, kind: str) -> tuple[bool, object]:
        ok = False
        if kind in ("str", "name!", "key!", "repo"):
            ok = isinstance(value, str) and (kind == "str" or bool(value.strip()))
            if ok and kind == "key!":
                ok = bool(_KEY_RE.match(str(value)))
            if ok and kind == "repo":
                ok = value == "" or bool(_REPO_RE.match(str(value)))
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "posint":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        elif kind == "hour":
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 23
        elif kind == "strlist":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not ok:
            self.report(path, f"expected {_EXPECT[kind]}, got {_describe(value)}; default used")
        return ok, value

    def table(self, path: tuple, data: object, spec: dict[str, Spec]) -> dict:
        if not isinstance(data, dict):
            self.report(path, f"expected a table, got {_describe(data)}; defaults used")
            return {}
        out: dict = {}
        for key, value in data.items():
            here = (*path, key)
            if _FORBIDDEN.search(key) and key not in spec:
                self.report(here, _FORBIDDEN_MESSAGE)
                continue
            if key not in spec:
                close = difflib.get_close_matches(key, list(spec), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.report(here, f"unknown key (kept, not used by this pmtui){hint}", WARNING)
                out.setdefault("__extra__", {})[key] = value
                continue
            good, got = self.value(here, value, spec[key])
            if good:
                out[key] = got
        return out

    def value(self, path: tuple, value: object, spec: Spec) -> tuple[bool, object]:
        if isinstance(spec, str):
            return self.scalar(path, value, spec)
        kind, inner = spec
        if kind == "table":
            return True, self.table(path, value, inner)
        if kind == "enum":
            if isinstance(value, str) and value in inner:
                return True, value
            shown = ", ".join(f'"{v}"' for v in inner)
            self.report(path, f"expected one of {shown}, got {_describe(value)}; default used")
            return False, None
        if kind == "map":
            if not isinstance(value, dict):
                self.report(path, f"expected a table of names to text, got {_describe(value)}; default used")
                return False, None
            out = {}
            for k, v in value.items():
                good, got = self.scalar((*path, k), v, inner)
                if good:
                    out[k] = got
            return True, out
        # array of tables
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.report(path, f"expected [[{_field(path)}]] tables, got {_describe(value)}; defaults used")
            return False, None
        rows = []
        for i, row in enumerate(value):
            cleaned = self.table((*path, i), row, inner)
            required = [k for k, s in inner.items() if isinstance(s, str) and s.endswith("!")]
            lacking = [k for k in required if k not in cleaned]
            if lacking:
                if not any(k in row for k in lacking):
                    self.report((*path, i), f"missing `{lacking[0]}`; this entry is left out")
                continue
            rows.append(cleaned)
        return True, rows


def _syntax_place(message: str) -> tuple[int, int]:
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _validate_text(text: str, where: str) -> tuple[dict, list[ConfigProblem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _syntax_place(str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return {}, [ConfigProblem(where, line, col, "", f"TOML syntax error: {reason}; the whole file is ignored "
                                  "(defaults used) until it is fixed")]
    v = _Validator(where, _Places(text))
    cleaned = v.table((), data, SPEC)
    _cross_checks(v, cleaned)
    return cleaned, sorted(v.problems, key=lambda p: (p.line, p.column))


def _dupes(v: _Validator, rows: list[dict], name: str, key: str) -> list[dict]:
    seen: set[str] = set()
    out = []
    for i, row in enumerate(rows):
        ident = str(row[key]).lower()
        if ident in seen:
            v.report((name, i, key), f"duplicate {key} {row[key]!r}; the first one is used")
            continue
        seen.add(ident)
        out.append(row)
    return out


def _cross_checks(v: _Validator, data: dict) -> None:
    for name, key in (("severity", "name"), ("types", "name"), ("fields", "name"), ("roles", "name"),
                      ("people", "handle")):
        if name in data:
            data[name] = _dupes(v, data[name], name, key)
    for i, f in enumerate(data.get("fields", [])):
        if f.get("type") == "choice" and not f.get("choices"):
            v.report(("fields", i, "choices"), "a choice field needs choices = [...]; it is treated as text")
            f["type"] = "text"
        elif f.get("choices") and f.get("type", "text") != "choice":
            v.report(("fields", i, "choices"), 'choices are used only with type = "choice"', WARNING)
    _check_report(v, data.get("report", {}))
    _check_checks(v, data.get("checks", {}))


def _check_report(v: _Validator, report: dict) -> None:
    from pmtui.team.templates import PRESETS, SECTION_KEYS

    if "template" in report and report["template"] not in PRESETS:
        shown = ", ".join(PRESETS)
        v.report(("report", "template"), f"unknown template {report['template']!r}; expected one of {shown} "
                 "(procedure used)")
        del report["template"]
    extra_keys = [s["key"] for s in report.get("sections", [])]
    known = set(SECTION_KEYS) | set(extra_keys)
    for i, key in enumerate(report.get("order", [])):
        if key not in known:
            v.report(("report", "order", i), f"unknown section {key!r}; expected one of {', '.join(sorted(known))}")
    if "order" in report:
        report["order"] = [k for k in report["order"] if k in known]
    for key in list(report.get("headings", {})):
        if key not in known:
            v.report(("report", "headings", key), f"unknown section {key!r}; heading not used", WARNING)
    for i, s in enumerate(report.get("sections", [])):
        if s["key"] in SECTION_KEYS:
            v.report(("report", "sections", i, "key"), f"{s['key']!r} is a built-in section; choose another key")
        if s.get("after") and s["after"] not in known:
            v.report(("report", "sections", i, "after"), f"unknown section {s['after']!r}; placed at the end")
            s["after"] = ""
    if "sections" in report:
        report["sections"] = [s for s in report["sections"] if s["key"] not in SECTION_KEYS]


def _check_checks(v: _Validator, checks: dict) -> None:
    from pmtui.team.ids import CHECK_IDS

    for i, cid in enumerate(checks.get("disable", [])):
        if cid not in CHECK_IDS:
            close = difflib.get_close_matches(cid, CHECK_IDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            v.report(("checks", "disable", i), f"unknown check {cid!r}{hint}", WARNING)
    lo, hi = checks.get("follow_up_min_days"), checks.get("follow_up_max_days")
    if lo is not None and hi is not None and lo > hi:
        v.report(("checks", "follow_up_min_days"), f"{lo} is more than follow_up_max_days ({hi}); defaults used")
        del checks["follow_up_min_days"], checks["follow_up_max_days"]


# -- dataclasses from the merged, cleaned data ----------------------------------------------


def _build(data: dict, files: tuple[Path, ...]) -> TeamConfig:
    def tuples(row: dict) -> dict:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if k != "__extra__"}

    kw: dict[str, Any] = {"files": files}
    if data.get("severity"):
        kw["severities"] = tuple(Severity(**tuples(r)) for r in data["severity"])
    if data.get("types"):
        kw["types"] = tuple(IncidentType(**tuples(r)) for r in data["types"])
    kw["fields"] = tuple(FieldDef(**tuples(r)) for r in data.get("fields", []))
    kw["roles"] = tuple(RoleDef(**tuples(r)) for r in data.get("roles", []))
    kw["people"] = tuple(Person(**tuples(r)) for r in data.get("people", []))
    report = dict(data.get("report", {}))
    report.pop("__extra__", None)
    sections = tuple(ExtraSection(**tuples(s)) for s in report.pop("sections", []))
    kw["report"] = ReportSettings(**tuples(report), sections=sections)
    checks = tuples(data.get("checks", {}))
    if "disable" in checks:
        checks["disable"] = frozenset(checks["disable"])
    kw["checks"] = CheckPolicy(**checks)
    kw["export"] = ExportMapping(**tuples(data.get("export", {})))
    kw["new"] = NewDefaults(**tuples(data.get("new", {})))
    kw["invite"] = InviteSettings(**tuples(data.get("invite", {})))
    kw["publish"] = PublishSettings(**tuples(data.get("publish", {})))
    kw["extra"] = dict(data.get("__extra__", {}))
    return TeamConfig(**kw)
