"""The command palette's pmtui commands: every described binding of the
pane on show and of the app, plus themes and panes by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.theme import Theme
from textual.widget import Widget

from pmtui.ui.keys import bindings_of, command_name, keys_display
from pmtui.ui.panes.base import Pane


@runtime_checkable
class PaletteHost(Protocol):
    """What the palette needs of the app (PmApp is one; this module is
    imported by it, so it names no app class)."""

    @property
    def active_pane(self) -> Pane | None: ...

    pmtui_themes: dict[str, Theme]

    def choose_theme(self, name: str) -> None: ...


def _run(target: Widget | App[Any], action: str) -> Callable[[], object]:
    return partial(target.run_action, action)


class PmCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        found: list[tuple[str, Callable[[], object], str]] = []
        if not isinstance(app, PaletteHost):
            return found
        pane = app.active_pane
        if pane is not None:
            for binding in bindings_of(type(pane)):
                found.append((command_name(binding, pane.pane_name), _run(pane, binding.action),
                              keys_display(binding, app)))
        for binding in bindings_of(type(app)):
            found.append((command_name(binding, "app"), _run(app, binding.action), keys_display(binding, app)))
        for name in sorted(app.pmtui_themes):
            found.append((f"theme: {name}", partial(app.choose_theme, name), "remembered in your config"))
        return found

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
