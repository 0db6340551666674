"""Which TOML keys hold which model fields, of what kind, in what order.

One table drives reading, validating, writing fresh files and splicing
edits, so a field added to the model is added here once.
"""

from __future__ import annotations

from pmtui import model as m

# kinds: str, prose (str, may span lines), strlist, proselist (one item per
# line), date, datetime, int, bool, queries (table of name = "promql")

ROOT_FIELDS: tuple[tuple[str, str], ...] = (
    ("schema", "int"),
    ("id", "str"),
    ("title", "str"),
    ("status", "str"),
    ("severity", "str"),
    ("authors", "strlist"),
    ("reviewers", "strlist"),
    ("reviewed", "date"),
    ("services", "strlist"),
    ("follow_up", "date"),
    ("shared", "datetime"),
    ("related", "strlist"),
    ("incident_type", "str"),
    ("sponsor", "str"),
    ("runbooks", "strlist"),
    ("review_meeting", "datetime"),
    ("summary", "prose"),
    ("trigger", "prose"),
    ("root_cause", "prose"),
    ("immediate_cause", "prose"),
    ("problem", "prose"),
    ("shallow_reason", "prose"),
    ("systemic_issues", "proselist"),
    ("went_well", "proselist"),
    ("went_wrong", "proselist"),
    ("lucky", "proselist"),
    ("lessons", "proselist"),
    ("prevention", "prose"),
)

# table path -> (attribute path on PostMortem, fields)
TABLES: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    ("times",): (
        ("times",),
        (("started", "datetime"), ("detected", "datetime"), ("mitigated", "datetime"), ("resolved", "datetime")),
    ),
    ("impact",): (
        ("impact",),
        (
            ("description", "prose"),
            ("failed_requests", "int"),
            ("users_affected", "int"),
            ("revenue", "str"),
            ("data_lost", "bool"),
        ),
    ),
    ("sources",): (("sources",), (("window_start", "datetime"), ("window_end", "datetime"))),
    ("sources", "prometheus"): (
        ("sources", "prometheus"),
        (
            ("url", "str"),
            ("auth", "str"),
            ("token_env", "str"),
            ("username_env", "str"),
            ("password_env", "str"),
            ("step", "str"),
        ),
    ),
    ("sources", "prometheus", "queries"): (("sources", "prometheus", "queries"), ()),
    ("sources", "alertmanager"): (("sources", "alertmanager"), (("url", "str"),)),
    ("sources", "kubernetes"): (
        ("sources", "kubernetes"),
        (
            ("kubeconfig", "str"),
            ("context", "str"),
            ("namespace", "str"),
            ("deployment", "str"),
            ("selector", "str"),
            ("containers", "strlist"),
            ("errors", "strlist"),
            ("warnings", "strlist"),
            ("ignore", "strlist"),
        ),
    ),
    ("sources", "loki"): (
        ("sources", "loki"),
        (
            ("url", "str"),
            ("query", "str"),
            ("tenant", "str"),
            ("auth", "str"),
            ("token_env", "str"),
            ("username_env", "str"),
            ("password_env", "str"),
            ("errors", "strlist"),
            ("warnings", "strlist"),
            ("ignore", "strlist"),
        ),
    ),
    ("sources", "files"): (
        ("sources", "files"),
        (("paths", "strlist"), ("errors", "strlist"), ("warnings", "strlist"), ("ignore", "strlist")),
    ),
    ("sources", "slack"): (
        ("sources", "slack"),
        (
            ("channel", "str"),
            ("export", "str"),
            ("token_env", "str"),
            ("marks", "strlist"),
            ("bots", "bool"),
            ("chatter", "bool"),
        ),
    ),
    ("sources", "pagerduty"): (
        ("sources", "pagerduty"),
        (("incident", "str"), ("file", "str"), ("service", "str"), ("token_env", "str")),
    ),
    ("export", "github"): (("github",), (("repo", "str"), ("base_url", "str"), ("labels", "strlist"))),
    ("roles",): (("roles",), ()),
    ("custom",): (("custom",), ()),
    ("sections",): (("sections",), ()),
    ("report",): (("report",), (("timeline", "str"),)),
}
QUERIES = ("sources", "prometheus", "queries")
# Tables whose keys are the user's (a query's name, a team's custom field,
# role or report section) -> the kind of every value: "any" is a custom
# field's (text, number, date, people...), checked against .pmtui.toml by
# pmtui.team, not here.
DICTS: dict[tuple[str, ...], str] = {
    QUERIES: "str",
    ("roles",): "strlist",
    ("custom",): "any",
    ("sections",): "prose",
}

# array name -> (row class, fields, required keys, keys always written in new rows)
ARRAYS: dict[str, tuple[type, tuple[tuple[str, str], ...], frozenset[str], frozenset[str]]] = {
    "timeline": (
        m.TimelineEvent,
        (("time", "datetime"), ("event", "str"), ("source", "str"), ("actor", "str"), ("kind", "str"),
         ("key", "bool"), ("evidence", "strlist")),
        frozenset({"time", "event"}),
        frozenset({"time", "event", "kind"}),
    ),
    "whys": (
        m.Why,
        (("id", "str"), ("parent", "str"), ("text", "prose")),
        frozenset({"id", "text"}),
        frozenset({"id", "parent", "text"}),
    ),
    "factors": (
        m.Factor,
        (("id", "str"), ("category", "str"), ("text", "prose"), ("why", "str")),
        frozenset({"id", "text"}),
        frozenset({"id", "category", "text"}),
    ),
    "actions": (
        m.ActionItem,
        (
            ("id", "str"),
            ("action", "prose"),
            ("owner", "str"),
            ("deadline", "date"),
            ("priority", "str"),
            ("type", "str"),
            ("status", "str"),
            ("labels", "strlist"),
            ("factor", "str"),
            ("tracker", "str"),
            ("issue", "int"),
        ),
        frozenset({"id", "action"}),
        frozenset({"id", "action", "owner", "priority", "type", "status"}),
    ),
    "evidence": (
        m.Evidence,
        (
            ("id", "str"),
            ("kind", "str"),
            ("source", "str"),
            ("path", "str"),
            ("sha256", "str"),
            ("query", "prose"),
            ("window_start", "datetime"),
            ("window_end", "datetime"),
            ("fetched", "datetime"),
            ("size", "int"),
        ),
        frozenset({"id", "kind", "source", "path", "sha256"}),
        frozenset({"id", "kind", "source", "path", "sha256", "size"}),
    ),
    "approvals": (
        m.Approval,
        (("who", "str"), ("at", "datetime"), ("note", "prose")),
        frozenset({"who", "at"}),
        frozenset({"who", "at"}),
    ),
    "shares": (
        m.Share,
        (("via", "str"), ("url", "str"), ("time", "datetime")),
        frozenset({"via"}),
        frozenset({"via", "url", "time"}),
    ),
    "gaps": (
        m.Gap,
        (("source", "str"), ("description", "prose"), ("window_start", "datetime"), ("window_end", "datetime")),
        frozenset({"source", "description"}),
        frozenset({"source", "description"}),
    ),
}

# Canonical order of sections in a file; new sections are inserted by it.
RANK: dict[tuple[str, ...], int] = {
    (): 0,
    ("times",): 1,
    ("impact",): 2,
    ("roles",): 3,
    ("custom",): 4,
    ("sections",): 5,
    ("timeline",): 6,
    ("whys",): 7,
    ("factors",): 8,
    ("actions",): 9,
    ("approvals",): 10,
    ("shares",): 11,
    ("sources",): 12,
    ("sources", "prometheus"): 13,
    ("sources", "prometheus", "queries"): 14,
    ("sources", "alertmanager"): 15,
    ("sources", "kubernetes"): 16,
    ("sources", "loki"): 17,
    ("sources", "files"): 18,
    ("sources", "slack"): 19,
    ("sources", "pagerduty"): 20,
    ("evidence",): 21,
    ("gaps",): 22,
    ("export",): 23,
    ("export", "github"): 24,
    ("report",): 25,
}

# Fresh files show these even when empty, so a user sees where to type.
SHOWN_EMPTY = frozenset(
    {
        "id",
        "title",
        "status",
        "severity",
        "authors",
        "reviewers",
        "services",
        "summary",
        "trigger",
        "root_cause",
        "immediate_cause",
        "problem",
        "systemic_issues",
        "went_well",
        "went_wrong",
        "lucky",
        "lessons",
        "prevention",
        "description",
    }
)


def get_attr(obj: object, path: tuple[str, ...]) -> object:
    for name in path:
        obj = getattr(obj, name)
    return obj


def frozen(value: object) -> object:
    """A comparable copy: lists become tuples, dicts sorted item tuples."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        # Deep: a role's list of people edited in place is still a change.
        return tuple((k, frozen(v)) for k, v in value.items())
    return value
