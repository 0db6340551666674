"""The command palette's pmtui commands: every described binding of every
pane (running one shows its pane first, then does it there), the app's,
every pane by name, and the themes. A pane added to the app's PANES is
found with all its keys, with nothing to register here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.theme import Theme

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

    def pane_classes(self) -> Sequence[tuple[str, str, type[Pane]]]: ...

    def show_pane(self, name: str) -> Awaitable[Pane]: ...


Command = tuple[str, Callable[[], object], str]


async def _in_pane(host: PaletteHost, name: str, action: str) -> None:
    pane = await host.show_pane(name)
    await pane.run_action(action)


def _run_app(app: App[Any], action: str) -> Callable[[], object]:
    return partial(app.run_action, action)


class PmCommands(Provider):
    def _commands(self) -> list[Command]:
        app = self.app
        found: list[Command] = []
        if not isinstance(app, PaletteHost):
            return found
        active = app.active_pane
        active_name = active.pane_name if active is not None else ""
        panes = list(app.pane_classes())
        # The pane on show first: its commands are the likeliest.
        panes.sort(key=lambda entry: entry[0] != active_name)
        for name, title, cls in panes:
            for binding in bindings_of(cls):
                where = "" if name == active_name else f" · in {title}"
                found.append((command_name(binding, name), partial(_in_pane, app, name, binding.action),
                              keys_display(binding, app) + where))
        for binding in bindings_of(type(app)):
            found.append((command_name(binding, "app"), _run_app(app, binding.action), keys_display(binding, app)))
        for name, title, _cls in panes:
            found.append((f"go: {title.lower()}", partial(app.show_pane, name), f"show the {title} pane"))
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
