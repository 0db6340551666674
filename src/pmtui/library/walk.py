"""Which files in a folder are post-mortems: every `*.toml` below it, in
subfolders too, except what git would ignore there and what is clearly
something else.

.gitignore files are read as git reads them (pathspec's GitIgnoreSpec:
negation, anchoring, `dir/` patterns, `**`): one in each folder applies to
what is below it, a deeper one wins over a shallower one, an ignored
folder is not entered, and those of the folders above the scanned one up
to the repository's top (the folder holding `.git`) count too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Files that are TOML but never post-mortems.
NOT_POSTMORTEMS = frozenset({"pyproject.toml", "Cargo.toml", ".pmtui.toml", "config.toml", "netlify.toml",
                             "rustfmt.toml", "ruff.toml", ".ruff.toml", "typos.toml", "taplo.toml"})
# Folders never entered: git's own, evidence beside a post-mortem, tools'.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".mypy_cache",
                       ".pytest_cache", ".ruff_cache", ".tox"})


@dataclass(frozen=True)
class Found:
    path: Path  # as reached from the root given (absolute when the root is)
    root: Path
    rel: str  # the path below the root, with / separators


class _Rules:
    """The .gitignore files that apply in one folder, deepest last."""

    def __init__(self, specs: tuple[tuple[str, object], ...] = ()) -> None:
        self.specs = specs  # (folder relative to the repository top, "" for the top; spec)

    def with_file(self, rel_dir: str, gitignore: Path) -> _Rules:
        try:
            lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return self
        from pathspec import GitIgnoreSpec

        return _Rules((*self.specs, (rel_dir, GitIgnoreSpec.from_lines(lines))))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """`rel` is relative to the repository top."""
        for base, spec in reversed(self.specs):
            below = rel[len(base) + 1 :] if base else rel
            if base and not rel.startswith(base + "/"):
                continue
            result = spec.check_file(below + "/" if is_dir else below)  # type: ignore[attr-defined]
            if result.include is not None:
                return bool(result.include)
        return False


def _repo_top(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _start_rules(root: Path) -> tuple[_Rules, str]:
    """The rules of the folders above `root` inside its repository, and the
    root's own path relative to the repository's top."""
    rules = _Rules()
    top = _repo_top(root)
    if top is None or top == root:
        return rules, ""
    rel_root = root.relative_to(top).as_posix()
    parts = rel_root.split("/")
    folder, rel = top, ""
    for i in range(len(parts)):
        gi = folder / ".gitignore"
        if gi.is_file():
            rules = rules.with_file(rel, gi)
        folder = folder / parts[i]
        rel = "/".join(parts[: i + 1])
    return rules, rel_root


def find(root: Path) -> Iterator[Found]:
    """Post-mortem candidates below `root`, in a stable order (names sorted
    folder by folder). A `root` that is a file is itself the one candidate."""
    if root.is_file():
        yield Found(root, root.parent, root.name)
        return
    resolved = Path(os.path.abspath(root))
    rules, rel_root = _start_rules(resolved)
    yield from _walk(root, root, "", rules, rel_root)


def _walk(root: Path, folder: Path, rel: str, rules: _Rules, repo_rel: str) -> Iterator[Found]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # an unreadable folder below the root: nothing to list in it
    names = {e.name for e in entries}
    if ".gitignore" in names:
        rules = rules.with_file(repo_rel, folder / ".gitignore")
    subdirs = []
    for entry in entries:
        name = entry.name
        child_rel = f"{rel}/{name}" if rel else name
        child_repo = f"{repo_rel}/{name}" if repo_rel else name
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if name in SKIP_DIRS or name.endswith(".evidence") or rules.ignored(child_repo, True):
                continue
            subdirs.append((entry, child_rel, child_repo))
            continue
        if not name.endswith(".toml") or name in NOT_POSTMORTEMS or name.startswith(".#"):
            continue
        if rules.ignored(child_repo, False):
            continue
        yield Found(folder / name, root, child_rel)
    for entry, child_rel, child_repo in subdirs:
        yield from _walk(root, folder / entry.name, child_rel, rules, child_repo)
