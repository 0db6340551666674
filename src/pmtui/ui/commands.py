"""The command palette's pmtui commands: every described binding of the
pane on show and of the app, plus themes and panes by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from pmtui.ui.keys import bindings_of, command_name


def _run(target, action: str) -> Callable[[], object]:
    return partial(target.run_action, action)


class PmCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        found: list[tuple[str, Callable[[], object], str]] = []
        pane = getattr(app, "active_pane", None)
        if pane is not None:
            default = getattr(pane, "pane_name", "pane")
            for binding in bindings_of(type(pane)):
                found.append((command_name(binding, default), _run(pane, binding.action), binding.key))
        for binding in bindings_of(type(app)):
            found.append((command_name(binding, "app"), _run(app, binding.action), binding.key))
        for name in sorted(getattr(app, "pmtui_themes", ())):
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
