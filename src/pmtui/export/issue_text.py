"""What an action item looks like as a GitHub issue: title, body, labels,
assignee, and the hidden marker that identifies it.

Pure functions of the model, so the plan (dry run) and the apply step
compute exactly the same content, and "changed?" is a plain comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pmtui.model import ActionItem, PostMortem
from pmtui.redact import redact

BASE_LABEL = "post-mortem"
PRIORITY_PREFIX = "priority: "
# Colours for labels pmtui creates (GitHub wants 6 hex digits, no '#').
LABEL_COLORS = {
    BASE_LABEL: "5319e7",
    "priority: high": "b60205",
    "priority: medium": "fbca04",
    "priority: low": "0e8a16",
}
DEFAULT_COLOR = "c5def5"
LABEL_DESCRIPTIONS = {
    BASE_LABEL: "Action item from a post-mortem (pmtui)",
}

# GitHub logins: alphanumerics and single inner hyphens, at most 39 chars.
_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
_OWNER_LOGIN_RE = re.compile(rf"^@({_LOGIN})$")
# The marker must be the body's last line: an action text quoting a marker
# (which `_neutralise` defuses anyway) can never be taken for the real one.
_MARKER_RE = re.compile(r"<!-- pmtui:(?P<pm>\S+)/(?P<item>[^/\s]+) -->\s*\Z")
_TITLE_LIMIT = 256  # GitHub rejects longer titles


@dataclass(frozen=True)
class IssueContent:
    title: str
    body: str
    labels: tuple[str, ...]
    assignee: str | None  # a GitHub login, or None


def marker(pm_id: str, item_id: str) -> str:
    return f"<!-- pmtui:{pm_id}/{item_id} -->"


def find_marker(body: str | None) -> tuple[str, str] | None:
    """(post-mortem id, item id) from an issue body pmtui wrote, else None."""
    if not body:
        return None
    m = _MARKER_RE.search(body.replace("\r\n", "\n"))
    return (m.group("pm"), m.group("item")) if m else None


def owner_login(owner: str) -> str | None:
    """`@bob` -> `bob`; anything else (a name, an email, a team) -> None."""
    m = _OWNER_LOGIN_RE.match(owner.strip())
    return m.group(1) if m else None


def priority_label(priority: str) -> str | None:
    p = priority.strip().lower()
    return f"{PRIORITY_PREFIX}{p}" if p else None


def labels_for(item: ActionItem, extra: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    wanted = [BASE_LABEL]
    pl = priority_label(item.priority)
    if pl:
        wanted.append(pl)
    wanted.extend(extra)
    wanted.extend(item.labels)
    seen: set[str] = set()
    out = []
    for name in wanted:
        name = name.strip()
        if name and name.lower() not in seen:  # GitHub label names are case-insensitive
            seen.add(name.lower())
            out.append(name)
    return tuple(out)


def _neutralise(text: str) -> str:
    # User text must not open an HTML comment that would hide the rest of
    # the body, nor forge a marker; nor carry a secret to the tracker.
    return redact(text).replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def title_for(item: ActionItem) -> str:
    title = f"{item.id}: {_one_line(redact(item.action))}"
    return title if len(title) <= _TITLE_LIMIT else title[: _TITLE_LIMIT - 1] + "\u2026"


def body_for(pm: PostMortem, item: ActionItem) -> str:
    factor = next((f for f in pm.factors if f.id == item.factor), None) if item.factor else None
    lines = [
        f"**Action:** {_neutralise(item.action.strip())}",
        "",
        f"- **Owner:** {_neutralise(item.owner) or '(not set)'}",
        f"- **Deadline:** {item.deadline.isoformat() if item.deadline else '(not set)'}",
        f"- **Priority:** {_neutralise(item.priority) or '(not set)'}",
        f"- **Type:** {_neutralise(item.type) or '(not set)'}",
    ]
    if factor is not None:
        lines += ["", f"**Contributing factor {factor.id}** ({_neutralise(factor.category)}):", ""]
        lines += [f"> {_neutralise(line)}" if line else ">" for line in factor.text.strip().splitlines()]
    elif item.factor:
        lines += ["", f"**Contributing factor:** {_neutralise(item.factor)}"]
    lines += [
        "",
        f"From post-mortem **{_neutralise(pm.id)}**: {_neutralise(_one_line(pm.title))}",
        "",
        marker(pm.id, item.id),
    ]
    return "\n".join(lines)


def content_for(pm: PostMortem, item: ActionItem, extra_labels: tuple[str, ...] | list[str] = (), *,
                priority_labels: tuple[tuple[str, str], ...] = (),
                assignees: tuple[tuple[str, str], ...] = ()) -> IssueContent:
    """`priority_labels` and `assignees` are the team's mapping (.pmtui.toml
    [export]): "high" -> "P1", "@alice" -> "alice-gh"."""
    labels = labels_for(item, extra_labels)
    mapped = dict(priority_labels).get(item.priority.strip().lower())
    if mapped:
        own = priority_label(item.priority)
        labels = tuple(mapped if own and name.lower() == own else name for name in labels)
    login = dict(assignees).get(item.owner.strip()) or dict(assignees).get(item.owner.strip().lstrip("@"))
    return IssueContent(
        title=title_for(item),
        body=body_for(pm, item),
        labels=labels,
        assignee=login.lstrip("@") if login else owner_login(item.owner),
    )


def label_color(name: str) -> str:
    return LABEL_COLORS.get(name.lower(), DEFAULT_COLOR)
