"""A Select that survives a value change while it is being torn down.

Textual's Select looks up its label when its value changes; when the app
closes right after the Overview form was built (a library user opening a
post-mortem and pressing ctrl+q at once), the label can already be gone
and the lookup raised NoMatches, which crashed the app on its way out.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Select


class SteadySelect(Select[Any]):
    def _watch_value(self, value: Any) -> None:
        try:
            super()._watch_value(value)
        except NoMatches:
            # Mid-teardown: nothing left to show the value on.
            self._value = value

    def _setup_options_renderables(self) -> None:
        # The same teardown, caught earlier: the options' overlay is gone
        # (seen when the Overview form is built after the first frame and
        # the app closes at once).
        with contextlib.suppress(NoMatches):
            super()._setup_options_renderables()
