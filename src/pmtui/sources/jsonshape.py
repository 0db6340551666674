"""Reading JSON from outside without trusting its shape: a member that
should be an object or a list and is not counts as absent."""

from __future__ import annotations

import re
from typing import Any


def obj(value: object, key: str) -> dict[str, Any]:
    """value[key] when value is an object and that member is an object, else {}."""
    member = value.get(key) if isinstance(value, dict) else None
    return member if isinstance(member, dict) else {}


def seq(value: object, key: str) -> list[Any]:
    """value[key] when value is an object and that member is a list, else []."""
    member = value.get(key) if isinstance(value, dict) else None
    return member if isinstance(member, list) else []


def id_lines(data: bytes, key: str) -> dict[str, int]:
    """value -> 1-based line of the first `"key": "value"` in a JSON text
    (pretty-printed evidence: each object's id on a line of its own)."""
    out: dict[str, int] = {}
    pattern = re.compile(rb'"' + re.escape(key.encode()) + rb'": ?"([^"]{1,100})"')
    for number, line in enumerate(data.split(b"\n"), 1):
        m = pattern.search(line)
        if m:
            out.setdefault(m.group(1).decode("utf-8", "replace"), number)
    return out
