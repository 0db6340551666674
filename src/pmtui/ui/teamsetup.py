"""The team's conventions for the app: .pmtui.toml found from the file's
folder, its problems worded for a toast, and who the user is (for the
approve key)."""

from __future__ import annotations

import os
from pathlib import Path

from pmtui.team import load_team
from pmtui.team.config import TeamConfig
from pmtui.textsafe import one_line
from pmtui.ui.config import load_config


def load_conventions(path: Path | None) -> tuple[TeamConfig, list[str], str]:
    """(config, problems as lines, the user's handle). Never raises: an
    unreadable config is a problem line and the defaults."""
    try:
        result = load_team(path.parent if path is not None else None)
    except OSError as exc:  # a folder that vanished, permissions
        return TeamConfig(), [one_line(f".pmtui.toml: {exc}")], _handle()
    problems = [one_line(p.format()) for p in result.problems if p.level == "error"]
    return result.config, problems, _handle()


def _handle() -> str:
    env = os.environ.get("PMTUI_USER", "").strip()
    if env:
        return env
    value = load_config().get("handle", "")
    return value.strip() if isinstance(value, str) else ""
