"""Textual's Select, safe to mount and to set while its parts are still
being built or already gone.

Textual (pinned) shows a Select's value by querying its SelectCurrent's
label; when a big form is mounted under load, or the app closes while it
is, the Select's own mount can run before that label exists (or after it
was removed) and the NoMatches ends the app with a traceback (seen in the
overview's form under the test suite's load). Here the value is kept and
shown once the label is there.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Select


class SafeSelect(Select[Any]):
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
