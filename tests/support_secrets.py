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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RUN = 8


@dataclass(frozen=True)
class Secret:
    kind: str
    text: str
    needle: str


SECRETS: tuple[Secret, ...] = (
    Secret("bearer", "Authorization: Bearer q7Xv2LmT9bN4rK8wZ1yP3sD6", "q7Xv2LmT9bN4rK8wZ1yP3sD6"),
    Secret("ghp", "token ghp_R4nd0mT0k3nV4lu3AbCdEfGhIjKlMnOpQrSt", "R4nd0mT0k3nV4lu3AbCdEfGhIjKlMnOpQrSt"),
    Secret("github-pat", "github_pat_11AQZXCV0abcdEFGH1234ijklMNOP5678qrstUVWX90yzABCDefgh",
           "11AQZXCV0abcdEFGH1234ijklMNOP5678qrstUVWX90yzABCDefgh"),
    Secret("aws-key-id", "aws key AKIAQ3EGRTZ7XW5MPLNB in use", "AKIAQ3EGRTZ7XW5MPLNB"),
    Secret("aws-secret", "AWS_SECRET_ACCESS_KEY=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",
           "Wq8rTz3nYb2KvM5xLp9JdF4hGs7QcN1aRe6UoI0k"),
    Secret("dsn", "postgres://orders:Pg7Hx2Kq9Wz4Lm@db.internal:5432/orders", "Pg7Hx2Kq9Wz4Lm"),
    Secret("password", "password=Cr0wB4rH0rs3St4pl3", "Cr0wB4rH0rs3St4pl3"),
    Secret("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmRlcnMiLCJyb2xlIjoiYWRtaW4ifQ.Xk9Lq2Vz7Rb4Nw8Jt1Hy5Mp3Cs6Df0Ga",
           "Xk9Lq2Vz7Rb4Nw8Jt1Hy5Mp3Cs6Df0Ga"),
    Secret("private-key",
           "-----BEGIN RSA PRIVATE KEY-----\n"
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n"
           "7onLRnrq0zY5xNgJ8Wqv2Lh3Pz4Kt9Bf6Rm1Cd8Ey5Gs0Hw3Jx2Ku7Lv4Mn9Np1Qr6\n"
           "-----END RSA PRIVATE KEY-----",
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw"),
)

# One line holding every secret but the key block (which needs its lines).
ONE_LINE = " ; ".join(s.text for s in SECRETS if "\n" not in s.text)
ALL_TEXT = ONE_LINE + "\n" + SECRETS[-1].text


def _runs(needle: str) -> set[str]:
    return {needle[i : i + RUN] for i in range(len(needle) - RUN + 1)}


_RUNS = {s.kind: _runs(s.needle) for s in SECRETS}


def leaks(text: str, secrets: Iterable[Secret] = SECRETS) -> list[str]:
    """Kinds of the secrets any 8-character run of which is in `text`."""
    found = []
    for s in secrets:
        if any(run in text for run in _RUNS[s.kind]):
            found.append(s.kind)
    return found


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
