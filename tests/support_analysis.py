"""Shared by the Analysis, Actions and Report pane tests: the procedure's
demo incident built in code, and a tiny host app that mounts one pane
over an EditSession (the way the real app does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.app import App, ComposeResult

from pmtui.model import (
    ActionItem,
    Factor,
    Impact,
    IncidentTimes,
    PostMortem,
    TimelineEvent,
    Why,
)
from pmtui.session import EditSession

FIXED_NOW = datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC)  # as conftest's
TODAY = FIXED_NOW.date()


def t(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


def demo_pm() -> PostMortem:
    pm = PostMortem(
        id="PM-2025-02-09-api",
        title="API Service Degradation",
        status="in review",
        severity="SEV1",
        authors=["@alice", "@bob"],
        times=IncidentTimes(t("10:05:23"), t("10:06:45"), t("10:22:10"), t("11:40:00")),
        summary="The API service returned errors for 40% of requests: the database pool was exhausted.",
        impact=Impact("40,000 failed requests over 1.5 hours", 40000, 2000, "~$5,000 (estimated)", False),
        root_cause="A query introduced in v2.3.0 did a full table scan for want of an index.",
        trigger="Deploy of v2.3.0",
        immediate_cause="Database connection pool exhausted (max 20 connections)\nQuery in v2.3.0 lacked an index",
        problem="API returned 5xx for 40% of requests",
    )
    pm.timeline = [
        TimelineEvent(t("10:05:23"), "First 5xx errors appear", "nginx access logs", "", "symptom"),
        TimelineEvent(t("10:06:45"), "High error rate alert fires", "Prometheus", "", "detection"),
        TimelineEvent(t("10:12:00"), "Engineer acknowledges alert", "PagerDuty", "@alice", "escalation"),
        TimelineEvent(t("10:22:10"), "Cache layer deployed as mitigation", "kubectl", "@alice", "mitigation"),
        TimelineEvent(t("11:40:00"), "Incident marked resolved", "PagerDuty", "@alice", "resolution"),
    ]
    pm.whys = [
        Why("W1", "The connection pool was exhausted"),
        Why("W2", "Each request held a connection for seconds", "W1"),
        Why("W3", "A new query did a full table scan", "W2"),
        Why("W4", "The query had no index", "W3"),
        Why("W5", "No query plan review before deploys", "W4"),
        Why("W6", "Pool size unchanged despite 3x traffic", "W1"),
    ]
    pm.factors = [
        Factor("F1", "Connection pool utilisation not monitored", "monitoring", "W1"),
        Factor("F2", "Load testing didn't include the new query pattern", "testing", "W3"),
        Factor("F3", "No runbook for database connection issues", "runbook"),
    ]
    pm.systemic_issues = ["No pre-deployment query plan review"]
    pm.actions = [
        ActionItem("AI-001", "Add connection pool metrics to the Grafana DB dashboard", "@bob", date(2025, 2, 7), "high", factor="F1"),
        ActionItem("AI-002", "Improve monitoring", "", None, "", factor="F1"),
        ActionItem("AI-003", "Add a DB query plan check to the CI pipeline", "@charlie", date(2025, 3, 1), "medium", factor="F2"),
    ]
    pm.went_well = ["Alert fired within 90 seconds of first errors"]
    pm.went_wrong = ["The operator forgot to check the pool size"]
    pm.lucky = ["Traffic was low on a Sunday"]
    pm.lessons = ["Database monitoring needs connection-level metrics"]
    pm.follow_up = date(2025, 3, 9)
    return pm


def big_pm(events: int) -> PostMortem:
    pm = demo_pm()
    start = pm.times.started
    pm.timeline = [
        TimelineEvent(start + timedelta(seconds=i), f"event {i} on host-{i % 50}", "app logs", "", "other")
        for i in range(events)
    ]
    return pm


class PaneHost(App):
    """Mounts one pane over a session, as PmApp does."""

    def __init__(self, pane_factory, pm: PostMortem | None = None) -> None:
        super().__init__()
        self.session = EditSession(pm or demo_pm())
        self.pane_factory = pane_factory
        self.pane = None

    def compose(self) -> ComposeResult:
        self.pane = self.pane_factory(self.session)
        yield self.pane


def screen_text(app: App) -> str:
    """What the screen shows, as plain text (for assertions and debugging)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


@dataclass
class HeldDocument:
    """What PmApp needs of a store.Document, for tests that never save."""

    path: Path
    pm: PostMortem


def document(pm: PostMortem, path: Path):
    try:
        from pmtui import store
    except ModuleNotFoundError:
        return HeldDocument(path, pm)
    return store.new_document(pm, path)


def open_app(pm: PostMortem, tmp_path: Path, pane: str):
    from pmtui.ui.app import PmApp

    return PmApp(document(pm, tmp_path / "incident.toml"), first_pane=pane, now=lambda: FIXED_NOW, blink=False)


async def workers_idle(app) -> None:
    """Wait for every worker to finish or be cancelled (wait_for_complete
    raises for the ones an exclusive worker replaced)."""
    import asyncio

    from textual.worker import WorkerState

    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        await asyncio.sleep(0.005)


async def settle(pilot) -> None:
    """Wait until timers, workers and refreshes triggered so far are done."""
    await pilot.pause()
    await workers_idle(pilot.app)
    await pilot.pause(0.06)
    await workers_idle(pilot.app)
    await pilot.pause()


async def fill(pilot, values: dict, *, submit: str = "enter") -> None:
    """Fill the open FormScreen's fields and submit it."""
    from textual.widgets import Select, TextArea

    screen = pilot.app.screen
    first = None
    for name, value in values.items():
        widget = screen.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            widget.value = value if value else Select.NULL
        elif isinstance(widget, TextArea):
            widget.text = value
        else:
            widget.value = value
            first = first or widget
    await pilot.pause()
    if submit == "enter" and first is not None:
        first.focus()
        await pilot.pause()
    await pilot.press(submit)
    await pilot.pause()
