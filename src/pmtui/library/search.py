"""`pmtui search`: every text field of every post-mortem, with where each
hit is (file, line, field).

A query is words; a field is a hit when it holds all of them, in any case.
Each file's bytes are read (the files are the truth, so no cached text is
searched) and tested first for every word at C speed (bytes.lower and
`in`); only the few files that hold them all are parsed to place the hits.
Words that TOML may write escaped (quotes, backslashes, control and
non-ASCII characters) skip that test, so nothing is missed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pmtui.library.walk import Found, find
from pmtui.model import PostMortem


@dataclass(frozen=True)
class Hit:
    path: Path
    rel: str
    pm_id: str
    title: str
    field: str  # timeline[12].event, actions[AI-002].action, title...
    line: int  # 1-based; 0 when unknown
    text: str  # the field's whole text
    spans: tuple[tuple[int, int], ...]  # where the words are in `text`

    def to_json(self) -> dict:
        return {"file": str(self.path), "id": self.pm_id, "title": self.title, "field": self.field,
                "line": self.line, "text": self.text, "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True)
class Unreadable:
    path: Path
    problem: str


def terms(query: str) -> list[str]:
    return [w for w in query.split() if w]


def _fields(pm: PostMortem) -> Iterator[tuple[str, tuple, str]]:
    """(shown name, store path, text) for every piece of text in the file."""
    for name in ("id", "title", "severity", "status", "summary", "trigger", "root_cause", "immediate_cause",
                 "problem", "shallow_reason", "prevention"):
        yield name, (name,), getattr(pm, name)
    for name in ("services", "authors", "reviewers", "related", "systemic_issues", "went_well", "went_wrong",
                 "lucky", "lessons"):
        for i, text in enumerate(getattr(pm, name)):
            yield f"{name}[{i}]", (name,), text
    yield "impact.description", ("impact", "description"), pm.impact.description
    yield "impact.revenue", ("impact", "revenue"), pm.impact.revenue
    for i, ev in enumerate(pm.timeline):
        for key in ("event", "source", "actor"):
            yield f"timeline[{i}].{key}", ("timeline", i, key), getattr(ev, key)
    for i, w in enumerate(pm.whys):
        yield f"whys[{w.id}].text", ("whys", i, "text"), w.text
    for i, f in enumerate(pm.factors):
        yield f"factors[{f.id}].text", ("factors", i, "text"), f.text
        yield f"factors[{f.id}].category", ("factors", i, "category"), f.category
    for i, a in enumerate(pm.actions):
        for key in ("action", "owner", "tracker"):
            yield f"actions[{a.id}].{key}", ("actions", i, key), getattr(a, key)
    for i, g in enumerate(pm.gaps):
        yield f"gaps[{i}].description", ("gaps", i, "description"), g.description


def _quick_test_bytes(words: list[str]) -> list[bytes] | None:
    """The words as bytes to look for in the lowered file, or None when a
    word could be written escaped in TOML (then every file is parsed)."""
    out = []
    for w in words:
        if not w.isascii() or any(c in w for c in '"\\') or not w.isprintable():
            return None
        out.append(w.lower().encode())
    return out


def search(
    roots: Iterable[str | Path],
    query: str,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    unreadable: list[Unreadable] | None = None,
) -> Iterator[Hit]:
    words = terms(query)
    if not words:
        return
    quick = _quick_test_bytes(words)
    patterns = [re.compile(re.escape(w), re.IGNORECASE) for w in words]
    seen: set[Path] = set()
    for root in roots:
        root = Path(root)
        if not root.exists():
            continue
        for found in find(root):
            if cancelled():
                return
            if found.path in seen:
                continue
            seen.add(found.path)
            yield from _search_file(found, quick, patterns, unreadable)


def _search_file(found: Found, quick: list[bytes] | None, patterns: list[re.Pattern[str]],
                 unreadable: list[Unreadable] | None) -> Iterator[Hit]:
    try:
        data = found.path.read_bytes()
    except OSError as exc:
        if unreadable is not None:
            unreadable.append(Unreadable(found.path, f"cannot read the file: {exc.strerror or exc}"))
        return
    if quick is not None:
        lowered = data.lower()
        if not all(w in lowered for w in quick):
            return
    from pmtui import store

    try:
        doc = store.loads(store.decode(data, found.path), path=found.path)
    except store.StoreError as exc:
        if unreadable is not None:
            unreadable.append(Unreadable(found.path, str(exc).splitlines()[0]))
        return
    pm = doc.pm
    for name, where, text in _fields(pm):
        if not text:
            continue
        spans: list[tuple[int, int]] = []
        for rx in patterns:
            m = rx.search(text)
            if m is None:
                break
            spans.extend((x.start(), x.end()) for x in rx.finditer(text))
        else:
            line, _col = doc.place(where)
            if where[0] in ("services", "authors", "reviewers", "related", "systemic_issues", "went_well",
                            "went_wrong", "lucky", "lessons"):
                line = _list_item_line(doc.text, line, text)
            yield Hit(found.path, found.rel, pm.id, pm.title, name, line, text, tuple(sorted(spans)))


def _list_item_line(text: str, line: int, item: str) -> int:
    """The line of one item of a list that starts at `line` (the list's
    own line when the item is not found on a line of its own)."""
    if not line:
        return 0
    lines = text.splitlines()
    needle = item.split("\n", 1)[0][:40]
    for k in range(line - 1, min(len(lines), line + 200)):
        if needle and needle in lines[k]:
            return k + 1
        if k > line - 1 and lines[k].strip().startswith("]"):
            break
    return line
