"""Themes are data: every themes/*.toml is a textual.theme.Theme's keyword
arguments. Bundled ones come first, then the user's config dir (a user's
theme of the same name wins). A file that cannot be read or built into a
Theme is reported and skipped, never fatal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.theme import Theme

from pmtui import locations

DEFAULT_THEME = "pmtui-dark"


@dataclass
class ThemeProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.message}"


def theme_dirs() -> list[Path]:
    dirs = []
    bundled = locations.bundled_themes_dir()
    if bundled is not None:
        dirs.append(bundled)
    dirs.append(locations.user_themes_dir())
    return dirs


def load_theme_file(path: Path) -> Theme:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise ValueError("missing name = \"...\"")
    if not isinstance(data.get("primary"), str):
        raise ValueError("missing primary = \"<colour>\"")
    theme = Theme(**data)
    # Building the colour system parses every colour: fail here, not mid-render.
    theme.to_color_system().generate()
    return theme


def load_themes() -> tuple[dict[str, Theme], list[ThemeProblem]]:
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for folder in theme_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except Exception as exc:  # any bad file: report it, keep going
                problems.append(ThemeProblem(path, str(exc) or type(exc).__name__))
                continue
            themes[theme.name] = theme
    return themes, problems
