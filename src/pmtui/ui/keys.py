"""Reading key bindings back out of widget classes, for the command
palette and the help screen: panes only declare good BINDINGS."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding


def bindings_of(cls: type) -> list[Binding]:
    """The described bindings a class declares (its own and inherited)."""
    found: list[Binding] = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        for item in klass.__dict__.get("BINDINGS", ()):
            binding = item if isinstance(item, Binding) else Binding(*item)
            if not binding.description:
                continue
            ident = binding.id or f"{binding.key}:{binding.action}"
            if ident in seen:
                continue
            seen.add(ident)
            found.append(binding)
    return found


def group_of(binding: Binding, default: str) -> str:
    """The palette group of a binding: the part of its id before the dot
    ("timeline.add" -> "timeline"), else `default`."""
    if binding.id and "." in binding.id:
        return binding.id.split(".", 1)[0]
    return default


def command_name(binding: Binding, default: str) -> str:
    return f"{group_of(binding, default)}: {binding.description.lower()}"


def keys_display(binding: Binding, app) -> str:
    keys: Iterable[str] = (k.strip() for k in binding.key.split(","))
    return ", ".join(app.get_key_display(Binding(k, binding.action)) for k in keys if k)
