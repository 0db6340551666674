"""`pmtui DIR`: the Library screen as an app of its own.

Choosing a post-mortem ends this app with the file to open; the command
line (cli.app.open_library) runs the editor on it and, when the editor
closes, this app again with the screen as it was (filter, sort, row) —
the warm cache makes that instant. The editor stays the one app that
owns a document, and the library never holds one open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from pmtui.model import utc_now
from pmtui.ui.keyorder import OrderedKeys
from pmtui.ui.screens.library import LibraryScreen, LibraryState


class LibraryApp(OrderedKeys[Path]):
    TITLE = "pmtui library"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True)]

    def __init__(self, roots: list[Path], *, state: LibraryState | None = None, message: str = "",
                 now: Callable[[], datetime] = utc_now, workers: int | None = None) -> None:
        super().__init__()
        self.roots = roots
        self.state = state or LibraryState()
        self.message = message
        self.now = now
        self.readers = workers
        self.chosen: Path | None = None
        self._theme_notes: list[str] = []

    def on_mount(self) -> None:
        self._theme_notes = self._setup_themes()
        for note in self._theme_notes:
            self.notify(note, severity="warning", timeout=8)
        if self.message:
            self.notify(self.message, severity="error", timeout=8)
        self.push_screen(LibraryScreen(self.roots, state=self.state, workers=self.readers))

    def open_postmortem(self, path: Path) -> None:
        self.chosen = path
        self.exit(path)

    def notify(self, message: Any, *, title: str = "", severity: Any = "information", timeout: Any = None,
               markup: bool = True) -> None:
        """Plain, redacted text only: notices quote file names and errors."""
        from pmtui.redact import redact
        from pmtui.textsafe import printable

        text = message.plain if isinstance(message, Text) else str(message)
        super().notify(printable(redact(text), multiline=True), title=printable(title), severity=severity,
                       timeout=timeout, markup=False)

    def _setup_themes(self) -> list[str]:
        from pmtui.ui.config import load_config
        from pmtui.ui.themes import DEFAULT_THEME, load_themes

        themes, problems = load_themes()
        for theme in themes.values():
            self.register_theme(theme)
        wanted = load_config().get("theme", DEFAULT_THEME)
        if not isinstance(wanted, str) or wanted not in self.available_themes:
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.theme = wanted
        return [f"Theme skipped: {p}" for p in problems]
