"""What every pane is: a widget over the edit session, told what it needs
of the app through a typed context rather than by probing the app.

The app builds each pane as `XPane(session, context)` and calls its hooks
directly: `focus_default()` when it is shown, `commit_pending()` before a
save or quit (text still being typed becomes an edit), `after_first_frame()`
once the app's first frame is on screen, `show_location()` when the
report's checklist points at something the pane holds. A pane refreshes
from the session's changes in `on_change`; the subscription lives exactly
as long as the pane is mounted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.notifications import SeverityLevel
from textual.widget import Widget

from pmtui.model import utc_now
from pmtui.session import Change, EditSession
from pmtui.team.config import TeamConfig
from pmtui.ui.keys import key_for

if TYPE_CHECKING:
    from pmtui.livechecks import SharedChecks


def _no_save() -> bool:
    return False


def _no_path() -> Path | None:
    return None


def _ready() -> bool:
    return True


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class PaneContext:
    """What a pane may use of the app around it. The defaults stand alone
    (a pane hosted by a test app): the real clock, no file, no saving."""

    # The clock ("overdue", "today", a new event's time); injected for
    # deterministic tests and snapshots.
    now: Callable[[], datetime] = utc_now
    # The zone of the timeline's Local column (None: the machine's).
    local_zone: tzinfo | None = None
    # The post-mortem's file now (a save-as or a reload may change it).
    document_path: Callable[[], Path | None] = _no_path
    # Save the file now (after an export wrote issue links); False when not saved.
    save: Callable[[], bool] = _no_save
    # Every source replays the bundled recording (`pmtui demo`).
    demo: bool = False
    # Show another pane by name (the report's checklist jumps); None: none to show.
    show_pane: Callable[[str], Awaitable[Pane]] | None = None
    # The app's first frame is on screen (a pane built later need not wait for it).
    first_frame_shown: Callable[[], bool] = _ready
    # Keep the garbage collector off for the frames being drawn now (a
    # pane built over several frames calls it at each).
    hold_collector: Callable[[], None] = _nothing
    # What a pane has built so far lives as long as the app (its first
    # showing): moved out of the collector's view.
    keep_built: Callable[[], None] = _nothing
    # The team's conventions (.pmtui.toml found walking up from the file;
    # defaults when none, or when it is broken: the app shows its problems).
    team: TeamConfig = field(default_factory=TeamConfig)
    # Who the user is ("@carol"): PMTUI_USER or `handle` in their own config.
    user_handle: str = ""
    # The checklist's runner and last results, shared by the app's panes
    # (None: a pane runs its own).
    checks: Callable[[], SharedChecks] | None = None


# Longer than any frame takes: only a callback Textual dropped waits this long.
AFTER_REFRESH_AT_LATEST = 0.25


class Pane(Widget):
    """Base of the app's panes (pmtui/ui/panes/<name>.py: <Name>Pane)."""

    # The pane's name in the app (tabs, `show_pane`, palette groups).
    pane_name: ClassVar[str] = "pane"

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.context = context if context is not None else PaneContext()
        self._unsubscribe: Callable[[], None] | None = None

    def after_refresh(self, callback: Callable[[], object]) -> None:
        """`callback` once, after the next refresh. Textual's
        call_after_refresh hands it to the screen on top at that moment and
        drops it when that screen closes before it refreshes (a dialog
        answered at once: the recovery question at start-up, over a fast
        link): then it runs AFTER_REFRESH_AT_LATEST seconds on."""
        done = False

        def once() -> None:
            nonlocal done
            if not done:
                done = True
                callback()

        self.call_after_refresh(once)
        self.set_timer(AFTER_REFRESH_AT_LATEST, once)

    # -- the session -------------------------------------------------------------
    # Textual runs each class's on_mount, the subclass's first: a pane draws
    # from the model in its own on_mount, and hears of changes from then on.

    def on_mount(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.session.subscribe(self.on_change)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_change(self, change: Change) -> None:
        """An edit (or its undo/redo) anywhere in the session: refresh what it touched."""

    # -- hooks the app calls -------------------------------------------------------

    def focus_default(self) -> None:
        """Focus what the pane is worked from: by default itself if it takes
        focus, else its first focusable widget, else nothing."""
        if self.focusable:
            self.focus()
            return
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return
        self.screen.set_focus(None)

    def commit_pending(self) -> None:
        """Turn text still being typed into edits (before a save or a quit)."""

    def after_first_frame(self) -> None:
        """The app's first frame, showing this pane, is on screen: finish
        building what the frame did not need."""

    def loading_progress(self, state: tuple[int, int] | None) -> None:
        """A big file is still being read: (rows read, rows expected), a
        few times a second; None once every row is read (a change of area
        timeline, "read", follows)."""

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """Put the cursor on what a check of the report's `section` points at
        (`row`: an index or an id); False when this pane does not hold it."""
        return False

    # -- the selected item in full -------------------------------------------------

    def selection_detail(self) -> tuple[str, Text] | None:
        """The selected row, item or node in full — a title and every field
        as plain text — for the pane's detail panel and its view key; None
        when nothing is selected."""
        return None

    def action_view(self) -> None:
        """The view key of every pane: the selected item in full."""
        detail = self.selection_detail()
        if detail is None:
            self.notify("Nothing selected to view.", timeout=2)
            return
        from pmtui.ui.screens.view import ViewScreen

        self.app.push_screen(ViewScreen(*detail))

    # -- telling -----------------------------------------------------------------------

    def notify(
        self,
        message: str | Text,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A toast of plain text: never parsed as markup, whatever app hosts
        the pane (PmApp's notify also redacts it)."""
        text = message.plain if isinstance(message, Text) else message
        super().notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    # -- hints -----------------------------------------------------------------------

    def key(self, binding_id: str, *, owner: type | None = None) -> str:
        """The key that runs `binding_id` now (the pane's, the app's, or
        `owner`'s): every hint names keys through this."""
        return key_for(self, binding_id, owner=owner)
