"""Reading key bindings back out of widget classes, for the command
palette, the help screen and every hint that names a key: panes only
declare good BINDINGS, and no text names a key a binding does not hold."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import format_key

# Names hints spell out where Textual shows a symbol (enter is "⏎").
_SPOKEN = {"enter": "enter", "escape": "esc"}


def _binding(item: BindingType) -> Binding:
    return item if isinstance(item, Binding) else Binding(*item)


def bindings_of(cls: type) -> list[Binding]:
    """The described bindings a class declares (its own and inherited),
    each action once: a subclass's binding hides its bases' for the same
    action (PmApp's ctrl+q quit and App's)."""
    found: list[Binding] = []
    seen: set[str] = set()
    actions: set[str] = set()
    for klass in cls.__mro__:
        for item in klass.__dict__.get("BINDINGS", ()):
            binding = _binding(item)
            if not binding.description:
                continue
            ident = binding.id or f"{binding.key}:{binding.action}"
            if ident in seen or (binding.action in actions and not binding.id):
                continue
            seen.add(ident)
            actions.add(binding.action)
            found.append(binding)
    return found


# Where pmtui's widgets, panes and screens live: every binding id is
# declared by a class in one of these (or by the app).
UI_PACKAGES = ("pmtui.ui.panes", "pmtui.ui.screens", "pmtui.ui.widgets")


def import_ui() -> None:
    """Import every module of UI_PACKAGES (the palette, the help screen and
    the keymap check need every class that declares keys)."""
    import importlib
    import pkgutil

    for name in UI_PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__, prefix=f"{name}."):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    stack: list[type] = [cls]
    while stack:
        subs: list[type] = stack.pop().__subclasses__()
        for sub in subs:
            if sub not in out:
                out.append(sub)
                stack.append(sub)
    return out


def binding_classes() -> list[type]:
    """Every pmtui class (widget, pane, screen, app) that declares a binding with an id."""
    import_ui()
    return [
        cls for cls in _subclasses(DOMNode)
        if cls.__module__.startswith("pmtui.")
        and any(_binding(b).id for b in cls.__dict__.get("BINDINGS", ()))
    ]


def known_binding_ids(app: App[Any]) -> set[str]:
    """Every binding id a keymap may name."""
    ids = {b.id for b in bindings_of(type(app)) if b.id}
    for item in type(app).BINDINGS:
        if _binding(item).id:
            ids.add(str(_binding(item).id))
    for cls in binding_classes():
        for item in cls.__dict__.get("BINDINGS", ()):
            ident = _binding(item).id
            if ident:
                ids.add(ident)
    return ids


def group_of(binding: Binding, default: str) -> str:
    """The palette group of a binding: the part of its id before the dot
    ("timeline.add" -> "timeline"), else `default`."""
    if binding.id and "." in binding.id:
        return binding.id.split(".", 1)[0]
    return default


def command_name(binding: Binding, default: str) -> str:
    return f"{group_of(binding, default)}: {binding.description.lower()}"


def _rebound(app: App[Any], binding_id: str | None) -> str | None:
    # textual is pinned: the keymap has no public reader (Screen's binding
    # chain reads this same attribute to apply it).
    return app._keymap.get(binding_id) if binding_id else None


def keys_display(binding: Binding, app: App[Any]) -> str:
    """Every key of `binding` as the footer shows keys, the keymap's if rebound."""
    keys = (k.strip() for k in (_rebound(app, binding.id) or binding.key).split(","))
    return ", ".join(app.get_key_display(Binding(k, binding.action)) for k in keys if k)


def key_text(key: str) -> str:
    """One key as a sentence writes it: ctrl+z, space, A, /, esc."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, _SPOKEN.get(name) or format_key(name)])


def _declared(classes: list[type], binding_id: str) -> Binding | None:
    for cls in classes:
        for klass in cls.__mro__:
            for item in klass.__dict__.get("BINDINGS", ()):
                binding = _binding(item)
                if binding.id == binding_id:
                    return binding
    return None


def keys_for(node: DOMNode, binding_id: str, *, owner: type | None = None) -> list[str]:
    """Every key that runs binding `binding_id` now, as a hint writes it:
    the app's keymap when it rebinds the id, else the keys declared by
    `owner`, by `node`'s class or by the app's. LookupError for an id none
    of them declares (a hint must never guess)."""
    app = node.app
    keys = _rebound(app, binding_id)
    if keys is None:
        classes = [c for c in (owner, type(node), type(app)) if c is not None]
        binding = _declared(classes, binding_id)
        if binding is None:
            raise LookupError(f"no binding {binding_id!r} on {', '.join(c.__name__ for c in classes)}")
        keys = binding.key
    return [key_text(k.strip()) for k in keys.split(",") if k.strip()]


def key_for(node: DOMNode, binding_id: str, *, owner: type | None = None) -> str:
    """The first key that runs binding `binding_id` (see keys_for)."""
    return keys_for(node, binding_id, owner=owner)[0]


def capitalized(key: str) -> str:
    """A key at the start of a sentence: words capitalised (Space), a
    single character never (A and a are different keys)."""
    return key[:1].upper() + key[1:] if len(key) > 1 and key[0].isalpha() else key
