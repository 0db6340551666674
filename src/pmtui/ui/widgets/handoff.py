"""An input box whose enter hands the keyboard on, also for the keys that
were typed right after it.

Textual forwards each key to the widget focused when the app reads it, into
that widget's own queue, and runs a widget's bindings only once the key has
bubbled back up to the app: in a burst ("filter text⏎o", a fast typist over
a slow link) the box would take the `o` as text before its enter binding
ran. This box handles enter itself, as the key reaches it: the focus moves
then, and the keys queued to it after enter are posted back to the app,
which sends them, in order, to the widget focused now.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


class HandOffInput(Input):
    _handed_off = False

    def hand_off_target(self) -> Widget | None:
        """Where the keyboard goes on enter (None: it stays here)."""
        return None

    def on_focus(self, event: events.Focus) -> None:
        self._handed_off = False

    async def _on_key(self, event: events.Key) -> None:
        if self._handed_off and self.screen.focused is not self:  # has_focus follows only later
            # Queued here before the focus moved: the app sends it on.
            event.prevent_default()
            event.stop()
            self.app.post_message(events.Key(event.key, event.character))
        elif event.key == "enter":
            event.prevent_default()
            event.stop()
            target = self.hand_off_target()
            if target is not None:
                self.screen.set_focus(target)
                self._handed_off = True
            self.post_message(self.Submitted(self, self.value))
