"""One line across the top: the incident at a glance."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.widget import Widget

from pmtui.model import format_duration
from pmtui.redact import redact
from pmtui.session import EditSession
from pmtui.textsafe import one_line


class DocHeader(Widget):
    DEFAULT_CSS = """
    DocHeader { height: 1; background: $panel; color: $foreground; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "doc-header--title",
        "doc-header--severity",
        "doc-header--figure",
        "doc-header--unsaved",
        "doc-header--muted",
    }

    def __init__(self, session: EditSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session

    def render(self) -> Text:
        pm = self.session.pm
        style = self.get_component_rich_style
        muted = style("doc-header--muted")
        # The figures are what the header is for: at 80 columns the title
        # gives way (cut with "…"), never TTD/TTM/TTR.
        right = Text(no_wrap=True)
        right.append(one_line(pm.severity) or "no severity", style("doc-header--severity"))
        right.append(" · ", muted)
        right.append(one_line(pm.status) or "draft", muted)
        for label, value in (
            ("TTD", pm.time_to_detect),
            ("TTM", pm.time_to_mitigate),
            ("TTR", pm.time_to_resolve),
        ):
            right.append(f"  {label} ", muted)
            right.append(format_duration(value) or "\u2013", style("doc-header--figure"))
        text = Text(" ", no_wrap=True, overflow="ellipsis")
        # First, so a narrow terminal never cuts it off.
        if self.session.dirty:
            text.append("\u25cf unsaved ", style("doc-header--unsaved"))
        # Shown on every pane, not where the title is edited: redacted.
        title = Text(one_line(redact(pm.title)) or "(untitled)", style("doc-header--title"))
        room = self.size.width - text.cell_len - right.cell_len - 2
        if room < title.cell_len and room >= 8:
            title.truncate(room - 1)
            title.append("\u2026", style("doc-header--title"))
        text.append_text(title)
        text.append("  ")
        text.append_text(right)
        return text
