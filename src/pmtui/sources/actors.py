"""One name per person across sources. PagerDuty calls a responder by
their full name ("Alice Chen"), Slack by a display name ("@alice" or
"@Alice Chen"), a log or an event by an email or a login. With the team's
roster (.pmtui.toml [[people]]), every spelling the roster knows for a
person becomes that person's handle, so the timeline's Actor column says
"@alice" whichever source saw her. Names the roster does not know stay as
the source gave them: a guess would put someone else's name on a row."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmtui.sources.base import Candidate
    from pmtui.team.config import Person


def _key(text: str) -> str:
    return " ".join(text.strip().lstrip("@").split()).casefold()


def spellings(people: Iterable[Person]) -> dict[str, str]:
    """Every spelling the roster gives for a person -> their handle. A
    spelling two people share (two "Sam"s) is left out."""
    out: dict[str, str] = {}
    shared: set[str] = set()
    for person in people:
        handle = "@" + person.handle.strip().lstrip("@")
        for text in (person.handle, person.name, person.github, person.email, *person.aliases):
            key = _key(text) if text else ""
            if not key:
                continue
            if key in out and out[key] != handle:
                shared.add(key)
            out[key] = handle
    for key in shared:
        del out[key]
    return out


def unify(candidates: Iterable[Candidate], names: dict[str, str]) -> int:
    """Put each candidate's actor in the roster's spelling; the number changed."""
    changed = 0
    if not names:
        return changed
    for c in candidates:
        if not c.actor:
            continue
        bot = c.actor.endswith(" (bot)")
        handle = names.get(_key(c.actor.removesuffix(" (bot)")))
        if handle and not bot and handle != c.actor:
            c.actor = handle
            changed += 1
    return changed


def roster_for(doc_path: Path) -> dict[str, str]:
    """The spellings of the team that owns the post-mortem at `doc_path`
    (none when it has no .pmtui.toml or the file cannot be read)."""
    from pmtui.team import load_team

    try:
        team = load_team(doc_path.parent).config
    except (OSError, ValueError):
        return {}
    return spellings(team.people)
