"""Textual's Select, safe to mount and to set while its parts are still
being built or already gone.

Textual (pinned) fills a Select's menu (SelectOverlay) when the Select is
mounted and shows its value by querying its SelectCurrent's label; when a
big form is mounted under load, or the app closes while it is (a library
user opening a post-mortem and pressing ctrl+q at once), the Select's own
mount can run before those parts exist or after they were removed, and the
NoMatches ends the app with a traceback (seen in the overview's form under
the test suite's load). Here the value is kept, and the menu and value are
shown once the parts are there; a Select being removed shows nothing.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Select


class SafeSelect(Select[Any]):
    def _setup_options_renderables(self) -> None:
        try:
            super()._setup_options_renderables()
        except NoMatches:
            if self.is_attached:
                self.call_after_refresh(self._fill_menu_again)

    def _fill_menu_again(self) -> None:
        if not self.is_attached:
            return
        with suppress(NoMatches):  # being removed: no menu left to fill
            super()._setup_options_renderables()
            super()._watch_value(self._value)

    def _watch_value(self, value: Any) -> None:
        try:
            super()._watch_value(value)
        except NoMatches:
            self._value = value
            if self.is_attached:
                self.call_after_refresh(self._show_value_again)

    def _show_value_again(self) -> None:
        if not self.is_attached:
            return
        with suppress(NoMatches):  # being removed: nothing left to show it in
            super()._watch_value(self._value)
