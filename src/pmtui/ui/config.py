"""The user's settings (XDG config dir, config.toml): read with tomllib,
written whole by hand, since it holds a few flat keys and tomlkit would
cost start-up time."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pmtui import locations
from pmtui.filesafety.atomic import write_atomic


def load_config() -> dict:
    path = locations.config_file()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        # A broken config must not stop the app; the caller keeps defaults.
        return {}
    return data if isinstance(data, dict) else {}


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'


def save_config_value(key: str, value: str) -> Path:
    """Set one string key, keeping the other flat string keys."""
    data = {k: v for k, v in load_config().items() if isinstance(v, str)}
    data[key] = value
    path = locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{k} = {_toml_string(v)}\n" for k, v in sorted(data.items()))
    write_atomic(path, text.encode("utf-8"))
    return path
