"""Secrets to plant, and a scanner that finds any of them in what pmtui
writes or shows.

Each secret is a `text` as it would appear in the wild (a header line, a
DSN, a key block) and the `needle`: the part that must never come out.
A screen cuts long text (a table cell ends with an ellipsis, a line
wraps), so the scanner looks for every 8-character run of a needle, not
only the whole: eight characters of a token are a leak too. The needles
are random-looking and free of Markdown's special characters, so no run
of 8 occurs by chance and escaping cannot hide one.
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RUN = 8


@dataclass(frozen=True)
class Secret:
    kind: str
    text: str
    needle: str
    tag: str = ""  # the input path it was planted in

    @property
    def name(self) -> str:
        return f"{self.tag}:{self.kind}" if self.tag else self.kind


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def secrets_for(tag: str) -> tuple[Secret, ...]:
    """One secret of each kind, its values drawn from `tag` (the same tag
    always gives the same values): a test plants a different set in each
    input path, so a leak names the path it came from."""
    rng = random.Random(f"pmtui-secrets:{tag}")

    def rand(n: int, alphabet: str = _ALNUM) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    # github_pat_ tokens are 22 + "_" + 59 characters (GitHub's fine-grained format)
    bearer, ghp, pat = rand(32), rand(36), "11" + rand(20) + "_" + rand(59)
    key_id = "AKIA" + rand(16, _ALNUM[:26] + "234567")  # AWS key ids are base32
    aws, dsn, pw, sig = rand(40), rand(14), rand(18), rand(32)
    body = [rand(64), rand(64)]
    made = (
        Secret("bearer", f"Authorization: Bearer {bearer}", bearer),
        Secret("ghp", f"token ghp_{ghp}", ghp),
        Secret("github-pat", f"github_pat_{pat}", pat),
        Secret("aws-key-id", f"aws key {key_id} in use", key_id),
        Secret("aws-secret", f"AWS_SECRET_ACCESS_KEY={aws}", aws),
        Secret("dsn", f"postgres://orders:{dsn}@db.internal:5432/orders", dsn),
        Secret("password", f"password={pw}", pw),
        Secret("jwt", f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.{sig}", sig),
        Secret("private-key", "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END RSA PRIVATE KEY-----",
               " ".join(body)),
    )
    return tuple(dataclasses.replace(s, tag=tag) for s in made)


def one_line(secrets: tuple[Secret, ...]) -> str:
    """Every secret but the key block (which needs its lines), on one line."""
    return " ; ".join(s.text for s in secrets if "\n" not in s.text)


def all_text(secrets: tuple[Secret, ...]) -> str:
    return one_line(secrets) + "\n" + secrets[-1].text


SECRETS = secrets_for("planted")


ONE_LINE = one_line(SECRETS)
ALL_TEXT = all_text(SECRETS)


def _runs(needle: str) -> frozenset[str]:
    return frozenset(run for part in needle.split() for run in (part[i : i + RUN] for i in range(len(part) - RUN + 1)))


def leaks(text: str, secrets: Iterable[Secret] = SECRETS) -> list[str]:
    """Names (tag:kind) of the secrets any 8-character run of which is in `text`."""
    return [s.name for s in secrets if any(run in text for run in _runs(s.needle))]


@dataclass
class Scan:
    """Everything scanned so far: (place, kinds leaked) and the count of
    secret x place checks made."""

    checked: int = 0
    places: list[str] = dataclasses.field(default_factory=list)
    leaked: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)

    def text(self, place: str, text: str, secrets: Iterable[Secret] = SECRETS) -> None:
        secrets = tuple(secrets)
        self.checked += len(secrets)
        self.places.append(place)
        found = leaks(text, secrets)
        if found:
            self.leaked.append((place, found))

    def data(self, place: str, data: bytes, secrets: Iterable[Secret] = SECRETS) -> None:
        self.text(place, data.decode("utf-8", "replace"), secrets)

    def tree(self, root: Path, secrets: Iterable[Secret] = SECRETS, *, skip: Iterable[Path] = ()) -> int:
        """Every file under `root` (hidden ones too); returns how many."""
        skipped = {Path(p).resolve() for p in skip}
        n = 0
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                if path.resolve() in skipped or path.is_symlink():
                    continue
                self.data(str(path), path.read_bytes(), secrets)
                n += 1
        return n


def plant_everywhere(pm, text: str = ALL_TEXT) -> int:
    """Append `text` to every free-text field of a PostMortem (prose,
    lists, timeline, whys, factors, actions, gaps); returns how many
    fields. Ids, times and settings are left alone: they are checked by
    the loader and would refuse the file."""
    n = 0
    for name in ("title", "severity", "summary", "trigger", "root_cause", "immediate_cause", "problem",
                 "shallow_reason", "prevention"):
        setattr(pm, name, f"{getattr(pm, name)} {text}".strip())
        n += 1
    pm.impact.description += " " + text
    pm.impact.revenue += " " + text
    n += 2
    for name in ("authors", "reviewers", "services", "systemic_issues", "went_well", "went_wrong", "lucky", "lessons"):
        getattr(pm, name).append(text)
        n += 1
    for ev in pm.timeline:
        ev.event += " " + text
        ev.actor = text
        ev.source = text
        n += 3
    for w in pm.whys:
        w.text += " " + text
        n += 1
    for f in pm.factors:
        f.text += " " + text
        f.category = text
        n += 2
    for a in pm.actions:
        a.action += " " + text
        a.owner = text
        n += 2
    for g in pm.gaps:
        g.description += " " + text
        g.source = text
        n += 2
    return n


class PlantedSecrets:
    """What the `planted_secrets` fixture hands a test: the default set, the
    texts that carry it, a set per input path, the planter and the scanner."""

    SECRETS = SECRETS
    ONE_LINE = ONE_LINE
    ALL_TEXT = ALL_TEXT
    secrets_for = staticmethod(secrets_for)
    one_line = staticmethod(one_line)
    all_text = staticmethod(all_text)
    leaks = staticmethod(leaks)
    plant_everywhere = staticmethod(plant_everywhere)
    Scan = Scan
