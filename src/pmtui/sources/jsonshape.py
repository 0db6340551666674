"""Reading JSON from outside without trusting its shape: a member that
should be an object or a list and is not counts as absent."""

from __future__ import annotations

from typing import Any


def obj(value: object, key: str) -> dict[str, Any]:
    """value[key] when value is an object and that member is an object, else {}."""
    member = value.get(key) if isinstance(value, dict) else None
    return member if isinstance(member, dict) else {}


def seq(value: object, key: str) -> list[Any]:
    """value[key] when value is an object and that member is a list, else []."""
    member = value.get(key) if isinstance(value, dict) else None
    return member if isinstance(member, list) else []
