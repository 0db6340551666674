"""The user's settings (XDG config dir, config.toml): read with tomllib;
one value set with tomlkit, so the user's comments, their `[keys]` table
and anything else they wrote survive (tomlkit is imported only then).

    theme = "pmtui-dark"          # remembered when chosen in the palette

    [keys]                        # rebinding: binding id = "key[,key...]"
    "timeline.add" = "a,insert"   # ids are listed by `?` and the README
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pmtui import locations
from pmtui.filesafety.atomic import write_atomic


class ConfigError(ValueError):
    """The config file cannot be read as TOML (its message names the file and line)."""


def read_config() -> dict[str, Any]:
    """The settings; {} when there is no file. ConfigError when it is broken."""
    path = locations.config_file()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return data


def load_config() -> dict[str, Any]:
    """The settings, or {} when the file is missing or broken (a broken
    config must not stop the app; read_config says why)."""
    try:
        return read_config()
    except ConfigError:
        return {}


def keymap_of(config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` table as a keymap {binding id: "key,key"} and the
    problems found in it (each naming the entry and what was expected)."""
    table = config.get("keys", {})
    if not isinstance(table, dict):
        return {}, ["[keys] must be a table of binding id = \"key[,key...]\""]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for ident, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f"[keys] {ident!r}: expected a string of keys such as \"a\" or \"ctrl+n,insert\"")
            continue
        parts = [k.strip() for k in keys.split(",")]
        if not all(parts) or any(" " in k for k in parts):
            problems.append(f"[keys] {ident!r} = {keys!r}: keys are separated by commas, e.g. \"a,insert\"")
            continue
        keymap[str(ident)] = ",".join(parts)
    return keymap, problems


def save_config_value(key: str, value: str) -> Path:
    """Set one top-level string key, keeping everything else in the file
    as written. A file that is not valid TOML is left alone (ConfigError)."""
    import tomlkit

    path = locations.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: {exc}; not changed") from None
    document[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, tomlkit.dumps(document).encode("utf-8"))
    return path
