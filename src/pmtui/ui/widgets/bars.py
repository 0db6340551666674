"""A bar chart drawn with block characters: one labelled bar a line, the
value after it. Own widget rather than plotext: plotext paints with its
own colours into ANSI strings that must be parsed back (theme variables
would not reach it) and takes ~20 ms a chart; these are Rich Text lines
in the theme's colours, and inert (labels come from files)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from pmtui.library.views import bar
from pmtui.redact import redact
from pmtui.textsafe import one_line


class BarChart(Static):
    DEFAULT_CSS = """
    BarChart { height: auto; padding: 0 1; }
    BarChart > .bar-chart--title { text-style: bold; color: $text-primary; }
    BarChart > .bar-chart--bar { color: $accent; }
    BarChart > .bar-chart--label { color: $text; }
    BarChart > .bar-chart--value { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bar-chart--title", "bar-chart--bar", "bar-chart--label", "bar-chart--value",
    }

    def __init__(self, title: str, rows: Sequence[tuple[str, float, str]], *, label_width: int = 18,
                 id: str | None = None, classes: str | None = None) -> None:
        """`rows`: (label, value, text shown after the bar)."""
        super().__init__(id=id, classes=classes)
        self.title = title
        self.rows = rows
        self.label_width = label_width

    def render(self) -> Text:
        style = self.get_component_rich_style
        width = max(4, self.size.width - self.label_width - 12)
        top = max((v for _l, v, _t in self.rows), default=0) or 1
        out = Text(self.title + "\n", style=style("bar-chart--title"))
        if not self.rows:
            out.append("  nothing recorded\n", style=style("bar-chart--value"))
        for label, value, shown in self.rows:
            name = one_line(redact(label))
            if len(name) > self.label_width:
                name = name[: self.label_width - 1] + "\u2026"
            out.append(f"{name:<{self.label_width}} ", style=style("bar-chart--label"))
            drawn = bar(value, top, width)
            out.append(f"{drawn:<{width}}", style=style("bar-chart--bar"))
            out.append(f" {one_line(shown)}\n", style=style("bar-chart--value"))
        out.rstrip()
        return out
