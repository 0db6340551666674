"""Where pmtui keeps things on the user's machine (XDG base directories).

Tests point XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_DATA_HOME / XDG_CACHE_HOME at temporary
folders, so nothing here caches a path: each call reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "pmtui"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    # The spec says relative values are invalid and must be ignored.
    base = Path(value) if value and os.path.isabs(value) else Path.home() / fallback
    return base / APP_NAME


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state")


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share")


def cache_dir() -> Path:
    """Things pmtui can rebuild at any time (the library's index)."""
    return _xdg("XDG_CACHE_HOME", ".cache")


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def bundled_themes_dir() -> Path | None:
    """The themes shipped with pmtui: inside the installed package (the
    wheel force-includes them as pmtui/_themes), else the source checkout's
    top-level themes/ folder."""
    from importlib.resources import files

    try:
        packaged = files("pmtui") / "_themes"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, OSError, TypeError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "themes"
    return checkout if checkout.is_dir() else None
