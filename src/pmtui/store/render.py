"""TOML text for single values and for whole fresh files.

Own code rather than tomlkit: it renders exactly the layout pmtui documents
(UTC datetimes with Z, prose as multi-line strings, one list item per line)
and costs microseconds, which matters when a save splices a handful of
fields into a 10,000-event file. Every output is checked by the tests to
read back equal through tomllib.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from pmtui import model as m
from pmtui.store.schema import ARRAYS, DICTS, ROOT_FIELDS, SHOWN_EMPTY, TABLES, get_attr

_ESC = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESC.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x7F: "\\u007F"})
_BASIC = dict(_ESC)
_BASIC.update({ord('"'): '\\"', ord("\\"): "\\\\"})
_ML = dict(_ESC)
_ML.update({ord("\\"): "\\\\"})
del _ML[0x0A]
_NEEDS_BASIC_ESC = re.compile(r'["\\\x00-\x1f\x7f]')
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def render_str(text: str) -> str:
    if _NEEDS_BASIC_ESC.search(text) is None:
        return f'"{text}"'
    return '"' + text.translate(_BASIC) + '"'


def render_ml(text: str) -> str:
    """A multi-line basic string; never contains three unescaped quotes in a
    row, and never ends in an unescaped quote (it would merge with the
    closing delimiter)."""
    body = text.translate(_ML)
    if '"' in body:
        out: list[str] = []
        run = 0
        for ch in body:
            if ch == '"':
                run += 1
                out.append('\\"' if run % 3 == 0 else '"')
            else:
                run = 0
                out.append(ch)
        if out and out[-1] == '"':
            out[-1] = '\\"'
        body = "".join(out)
    return f'"""\n{body}"""'


def render_key(key: str) -> str:
    return key if _BARE.fullmatch(key) else render_str(key)


def render_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        # The model promises aware UTC; a naive one is read as UTC rather
        # than refusing to save the user's work.
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T"
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def render_date(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def render_value(value: object, kind: str = "") -> str:
    """One value as TOML text (may span lines for prose kinds)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime):
        return render_datetime(value)
    if isinstance(value, date):
        return render_date(value)
    if isinstance(value, str):
        if kind in ("prose", "proselist") and "\n" in value:
            return render_ml(value)
        return render_str(value)
    if isinstance(value, (list, tuple)):
        if kind == "proselist" and value:
            return "[\n" + "".join(f"    {render_value(v, kind)},\n" for v in value) + "]"
        return "[" + ", ".join(render_value(v, kind) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_key(k)} = {render_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def is_unset(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def row_lines(name: str, row: object) -> list[str]:
    """A fresh [[name]] block for one row (no trailing blank line)."""
    _cls, fields, _required, always = ARRAYS[name]
    out = [f"[[{name}]]"]
    for key, kind in fields:
        value = getattr(row, key)
        # A row's flags (timeline.key) are written only when set.
        if value is None or (key not in always and (is_unset(value) or value is False)):
            continue
        out.append(f"{key} = {render_value(value, kind)}")
    return out


def table_lines(path: tuple[str, ...], obj: object, *, fresh: bool) -> list[str]:
    """Key lines of one table (no header)."""
    out: list[str] = []
    if path in DICTS and isinstance(obj, dict):  # user-keyed tables: queries, roles, custom, sections
        kind = DICTS[path]
        for name, value in obj.items():
            shown = ("strlist" if isinstance(value, list) else "prose") if kind == "any" else kind
            out.append(f"{render_key(name)} = {render_value(value, shown)}")
        return out
    defaults = type(obj)()
    for key, kind in TABLES[path][1]:
        value = getattr(obj, key)
        if value is None or (is_unset(value) and not (fresh and key in SHOWN_EMPTY)):
            continue
        if not fresh and value == getattr(defaults, key) and path[0] in ("sources", "report"):
            continue  # auth = "none" alone is not worth a [sources.prometheus]
        out.append(f"{key} = {render_value(value, kind)}")
    return out


# -- fresh files ---------------------------------------------------------------

_HEAD = """\
# A blameless post-mortem, written with pmtui (open it with `pmtui FILE`).
# Edit it here or in the app; comments and keys pmtui does not know are kept.
# Times are UTC with a Z (2025-02-09T10:05:23Z), dates are plain (2025-02-16).
# Describe systems and decisions, not people's failings. Never put secrets
# (tokens, passwords) in this file: settings name environment variables.
# The format: docs/file-format.md in the pmtui sources."""

_ROOT_COMMENTS = {
    "status": "# draft | in review | published",
    "summary": "\n# What happened, in two or three sentences (multi-line text: \"\"\" ... \"\"\").",
    "trigger": "# The change or event that set the incident off.",
    "root_cause": "# The underlying cause the analysis below arrives at.",
    "immediate_cause": "# What failed directly (e.g. connection pool exhausted).",
    "problem": "# Five whys: the problem statement; the whys are the [[whys]] tables below.",
    "shallow_reason": "# Why no chain of whys goes five deep, if none does.",
    "systemic_issues": "# Patterns beyond this incident, one string per item.",
    "went_well": "\n# What went well / what went wrong / where we got lucky / lessons learned.",
    "prevention": "# How this class of incident is prevented from now on.",
}

_SECTION_HELP = {
    "times": "# When the incident started, was detected, mitigated and resolved (UTC).\n"
    "# Time to detect, mitigate and resolve are computed from these.",
    "impact": "# Who and what was affected, in prose and figures.\n"
    "# failed_requests = 12000, users_affected = 800, revenue = \"~$5,000\", data_lost = false",
    "timeline": "# Timeline, one [[timeline]] table per event in time order (UTC).\n"
    "# kind: " + ", ".join(m.EVENT_KINDS) + ".\n"
    "#\n# [[timeline]]\n# time = 2025-02-09T10:05:23Z\n# event = \"First 5xx errors appear\"\n"
    "# source = \"nginx access logs\"\n# actor = \"\"\n# kind = \"symptom\"",
    "whys": "# Five whys, stored flat: each why has an id and the id of the why it\n"
    "# answers (parent = \"\" answers the problem statement). Branches allowed.\n"
    "#\n# [[whys]]\n# id = \"W1\"\n# parent = \"\"\n# text = \"Requests timed out waiting for a database connection\"",
    "factors": "# Contributing factors. category: " + ", ".join(m.FACTOR_CATEGORIES) + "\n"
    "# or one of your own; why = the id of the why it comes from (optional).\n"
    "#\n# [[factors]]\n# id = \"F1\"\n# category = \"testing\"\n"
    "# text = \"No load test ran against v2.3.0\"\n# why = \"W3\"",
    "actions": "# Action items: id AI-001, AI-002...; deadline is a date;\n"
    "# priority: high | medium | low; type: mitigate | prevent | process;\n"
    "# status: open | in progress | done; factor = the id of the factor it addresses.\n"
    "#\n# [[actions]]\n# id = \"AI-001\"\n# action = \"Add an index on orders.customer_id\"\n"
    "# owner = \"@bob\"\n# deadline = 2025-02-16\n# priority = \"high\"\n# type = \"prevent\"\n# status = \"open\"",
    "sources": "# Where `pmtui collect` reads data. Credentials are never stored here: name the\n"
    "# environment variables that hold them (token_env, username_env, password_env).\n"
    "#\n# [sources.prometheus]\n# url = \"http://prometheus:9090\"\n# auth = \"none\"\n"
    "#\n# [sources.prometheus.queries]\n# error_rate = 'sum(rate(http_requests_total{code=~\"5..\"}[5m]))'\n"
    "#\n# [sources.alertmanager]\n# url = \"http://alertmanager:9093\"\n"
    "#\n# [sources.kubernetes]\n# namespace = \"prod\"\n# deployment = \"api-service\"",
    "evidence": "# Evidence collected for the incident window, saved in NAME.evidence/ beside\n"
    "# this file (paths are relative to this file's folder). Written by pmtui.\n#\n# [[evidence]]",
    "roles": "# Who held which incident role (the team's .pmtui.toml names the roles).",
    "custom": "# The team's own fields (declared in .pmtui.toml): text, choice, number, date, people.",
    "sections": "# Text of the team's extra report sections, by the section's key.",
    "approvals": "# Sign-off: each reviewer's approval, written by `pmtui approve` (who, at).",
    "shares": "# Where the report was shared, written by `pmtui publish` (via, url, time).",
    "gaps": "# Data that could not be collected, and why. Written by pmtui.\n#\n# [[gaps]]",
    "report": "# The report. timeline: \"key\" (the key rows), \"all\" (every row), or \"auto\" (the key rows\n"
    "# once any row is key, else all).\n#\n# [report]\n# timeline = \"auto\"",
    "export": "# Where `pmtui export` files action items as GitHub issues.\n#\n"
    "# [export.github]\n# repo = \"OWNER/NAME\"",
}


def fresh_text(pm: m.PostMortem) -> str:
    """A complete, commented file for `pm`."""
    out: list[str] = [_HEAD]
    for key, kind in ROOT_FIELDS:
        value = getattr(pm, key)
        if value is None or (is_unset(value) and key not in SHOWN_EMPTY):
            continue
        comment = _ROOT_COMMENTS.get(key)
        if comment:
            out.append(comment)
        out.append(f"{key} = {render_value(value, kind)}")
    for path in (("times",), ("impact",)):
        out.append("\n" + _SECTION_HELP[path[0]])
        out.append(f"[{path[0]}]")
        out.extend(table_lines(path, get_attr(pm, TABLES[path][0]), fresh=True))
    for path in (("roles",), ("custom",), ("sections",)):
        lines = table_lines(path, get_attr(pm, TABLES[path][0]), fresh=False)
        if lines:
            out.append("\n" + _SECTION_HELP[path[0]])
            out.append(f"[{path[0]}]")
            out.extend(lines)
    for name in ("timeline", "whys", "factors", "actions"):
        _add_rows(out, name, getattr(pm, name))
    for name in ("approvals", "shares"):
        if getattr(pm, name):
            _add_rows(out, name, getattr(pm, name))
    out.append("\n" + _SECTION_HELP["sources"] + "\n")
    _add_sources(out, pm)
    for name in ("evidence", "gaps"):
        _add_rows(out, name, getattr(pm, name))
    tail: tuple[tuple[tuple[str, ...], object], ...] = ((("export", "github"), pm.github), (("report",), pm.report))
    for where, obj in tail:
        out.append("\n" + _SECTION_HELP[where[0]])
        lines = table_lines(where, obj, fresh=False)
        if lines:
            out.append("\n[" + ".".join(where) + "]")
            out.extend(lines)
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def _add_sources(out: list[str], pm: m.PostMortem) -> None:
    for source in _SOURCE_TABLES:
        lines = table_lines(source, get_attr(pm, TABLES[source][0]), fresh=False)
        if lines:
            out.append("[" + ".".join(source) + "]")
            out.extend(lines)
            out.append("")


QUERIES_PATH = ("sources", "prometheus", "queries")
_SOURCE_TABLES: tuple[tuple[str, ...], ...] = (
    ("sources",),
    ("sources", "prometheus"),
    QUERIES_PATH,
    ("sources", "alertmanager"),
    ("sources", "kubernetes"),
    ("sources", "loki"),
    ("sources", "files"),
    ("sources", "slack"),
    ("sources", "pagerduty"),
)


def _add_rows(out: list[str], name: str, rows: list) -> None:
    # A blank line under the help keeps it out of the first row's block, so
    # deleting that row does not delete the help.
    out.append("\n" + _SECTION_HELP[name] + "\n")
    for row in rows:
        out.extend(row_lines(name, row))
        out.append("")
