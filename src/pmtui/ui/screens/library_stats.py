"""The library's charts: incidents per month (bars and a trend line),
time to resolve per quarter, the factor categories, services and alerts
that recur, and the systemic issues that repeat in different words."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Sparkline, Static

from pmtui.library.stats import Stats
from pmtui.model import format_duration
from pmtui.redact import redact
from pmtui.textsafe import one_line
from pmtui.ui.widgets.bars import BarChart
from pmtui.ui.widgets.footer import KeyFooter


def _minutes(seconds: float | None) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=seconds)) if seconds is not None else "-"


class LibraryStatsScreen(Screen[None]):
    DEFAULT_CSS = """
    LibraryStatsScreen { layout: vertical; }
    LibraryStatsScreen #stats-title { height: 1; padding: 0 1; text-style: bold; background: $panel; }
    LibraryStatsScreen .stats--trend { height: 3; margin: 0 1; }
    LibraryStatsScreen .stats--label { padding: 0 1; color: $text-muted; }
    LibraryStatsScreen Horizontal { height: auto; }
    LibraryStatsScreen Horizontal > Vertical { width: 1fr; height: auto; }
    LibraryStatsScreen .stats--systemic { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,c,q", "close", "Back to the list", id="stats.close"),
    ]

    def __init__(self, stats: Stats, scope: str) -> None:
        super().__init__()
        self.stats = stats
        self.scope = scope

    def compose(self) -> ComposeResult:
        st = self.stats
        yield Static(Text(one_line(f"What keeps hurting us: {self.scope}")), id="stats-title")
        with VerticalScroll():
            totals = [sum(st.per_month[m].values()) for m in st.months]
            first, last = (st.months[0], st.months[-1]) if st.months else ("", "")
            yield Static(Text(f"Incidents per month, {first} to {last}" if st.months else "No dated incidents"),
                         classes="stats--label")
            yield Sparkline(totals or [0], summary_function=max, classes="stats--trend", id="stats-months")
            ttr = [st.durations[q]["ttr"][0] or 0 for q in st.quarters]
            yield Static(Text("Median time to resolve per quarter: " + "  ".join(
                f"{q} {_minutes(st.durations[q]['ttr'][0])}" for q in st.quarters[-6:])), classes="stats--label")
            yield Sparkline(ttr or [0], summary_function=max, classes="stats--trend", id="stats-ttr")
            with Horizontal():
                with Vertical():
                    yield BarChart("Incidents per month (last 12)",
                                   [(m, t, str(t)) for m, t in list(zip(st.months, totals, strict=True))[-12:]],
                                   label_width=8, id="chart-months")
                    yield BarChart("Contributing-factor categories",
                                   [(r.name, len(r.incidents), str(len(r.incidents))) for r in st.categories[:8]],
                                   id="chart-categories")
                with Vertical():
                    yield BarChart("Services that recur",
                                   [(r.name, len(r.incidents), str(len(r.incidents))) for r in st.services[:8]],
                                   id="chart-services")
                    yield BarChart("Alerts that recur",
                                   [(r.name, len(r.incidents), str(len(r.incidents))) for r in st.alerts[:8]],
                                   id="chart-alerts")
                    yield BarChart("Action items by status",
                                   [(k, v, str(v)) for k, v in st.action_status.items()]
                                   + [("overdue", st.overdue, str(st.overdue))], id="chart-actions")
            yield Static(self._systemic(), classes="stats--systemic")
        yield KeyFooter()

    def _systemic(self) -> Text:
        out = Text("Systemic issues that repeat in different words\n", style="bold")
        if not self.stats.systemic:
            out.append("  none named by two incidents\n")
        for g in self.stats.systemic[:8]:
            out.append(f"  {len(g['incidents'])} incidents: ")
            out.append(one_line(redact(" | ".join(g["texts"][:3])), 200) + "\n")
        return out

    def action_close(self) -> None:
        self.dismiss(None)
