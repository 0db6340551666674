"""PmApp factories and pilot helpers for the pilot and snapshot tests, and
the demo incident the Analysis, Actions and Report pane tests start from
(the procedure's example with its defects on purpose: a vague action, a
blaming phrase, a shallow branch)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pmtui.model import (
    ActionItem,
    Factor,
    Impact,
    IncidentTimes,
    PostMortem,
    TimelineEvent,
    Why,
)
from pmtui.sample import at

BERLIN = ZoneInfo("Europe/Berlin")


def demo_pm() -> PostMortem:
    pm = PostMortem(
        id="PM-2025-02-09-api",
        title="API Service Degradation",
        status="in review",
        severity="SEV1",
        authors=["@alice", "@bob"],
        times=IncidentTimes(at("10:05:23"), at("10:06:45"), at("10:22:10"), at("11:40:00")),
        summary="The API service returned errors for 40% of requests: the database pool was exhausted.",
        impact=Impact("40,000 failed requests over 1.5 hours", 40000, 2000, "~$5,000 (estimated)", False),
        root_cause="A query introduced in v2.3.0 did a full table scan for want of an index.",
        trigger="Deploy of v2.3.0",
        immediate_cause="Database connection pool exhausted (max 20 connections)\nQuery in v2.3.0 lacked an index",
        problem="API returned 5xx for 40% of requests",
    )
    pm.timeline = [
        TimelineEvent(at("10:05:23"), "First 5xx errors appear", "nginx access logs", "", "symptom"),
        TimelineEvent(at("10:06:45"), "High error rate alert fires", "Prometheus", "", "detection"),
        TimelineEvent(at("10:12:00"), "Engineer acknowledges alert", "PagerDuty", "@alice", "escalation"),
        TimelineEvent(at("10:22:10"), "Cache layer deployed as mitigation", "kubectl", "@alice", "mitigation"),
        TimelineEvent(at("11:40:00"), "Incident marked resolved", "PagerDuty", "@alice", "resolution"),
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
        ActionItem("AI-001", "Add connection pool metrics to the Grafana DB dashboard", "@bob", date(2025, 2, 7),
                   "high", factor="F1"),
        ActionItem("AI-002", "Improve monitoring", "", None, "", factor="F1"),
        ActionItem("AI-003", "Add a DB query plan check to the CI pipeline", "@charlie", date(2025, 3, 1), "medium",
                   factor="F2"),
    ]
    pm.went_well = ["Alert fired within 90 seconds of first errors"]
    pm.went_wrong = ["The operator forgot to check the pool size"]
    pm.lucky = ["Traffic was low on a Sunday"]
    pm.lessons = ["Database monitoring needs connection-level metrics"]
    pm.follow_up = date(2025, 3, 9)
    return pm


class AppFactory:
    """PmApps over files in one test's folder, with a fixed clock, the
    local zone Europe/Berlin and no blinking cursor."""

    def __init__(self, folder: Path, now: Callable[[], datetime], demo_file: Path) -> None:
        self.folder, self.now, self.demo_file = folder, now, demo_file

    def _defaults(self, kwargs: dict) -> dict:
        kwargs.setdefault("now", self.now)
        kwargs.setdefault("local_zone", BERLIN)
        kwargs.setdefault("blink", False)
        return kwargs

    def saved_copy(self, pm: PostMortem | None = None, **kwargs):
        """An app on a saved copy of `pm` (the procedure's example by default)."""
        from pmtui import store
        from pmtui.sample import sample_postmortem
        from pmtui.ui.app import PmApp

        path = self.folder / "incident.toml"
        store.save(store.new_document(pm if pm is not None else sample_postmortem(), path))
        return PmApp(store.load(path), **self._defaults(kwargs))

    def demo_copy(self, **kwargs):
        """An app on a copy of the bundled demo incident."""
        from pmtui import store
        from pmtui.ui.app import PmApp

        path = self.folder / self.demo_file.name
        shutil.copyfile(self.demo_file, path)
        return PmApp(store.load(path), **self._defaults(kwargs))

    def unsaved(self, pm: PostMortem, pane: str):
        """An app on `pm` as a new, never saved document, opened on `pane`."""
        from pmtui import store
        from pmtui.ui.app import PmApp

        return PmApp(store.new_document(pm, self.folder / "incident.toml"), first_pane=pane, now=self.now, blink=False)


def saved(app) -> PostMortem:
    """The post-mortem as it is on disk now (after any save in flight)."""
    from pmtui import store

    app._saver.wait()
    return store.load(app.document.path).pm


def screen_text(app) -> str:
    """Every character on screen, line by line: what a person would read."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def workers_idle(app) -> None:
    """Wait for every worker to finish or be cancelled (wait_for_complete
    raises for the ones an exclusive worker replaced)."""
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


async def until(pilot, check, what: str, timeout: float = 15.0) -> None:
    """Let the app run until `check()` holds (a loaded machine may take a
    while to push a screen or mount its fields); fail saying `what`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}")
        await pilot.pause()


def _form_error_shown(screen) -> bool:
    return any(error.has_class("-shown") for error in screen.query(".form--error"))


async def fill(pilot, values: dict, *, submit: str = "enter") -> None:
    """Fill the open FormScreen's fields and submit it; returns once the
    form has closed or shows an error. The form may still be on its way
    (the key that opens it was just pressed): it is waited for, never a
    length of time."""
    from textual.widgets import Select, TextArea

    from pmtui.ui.screens.form import FormScreen

    app = pilot.app

    def form_ready() -> bool:
        screen = app.screen
        return isinstance(screen, FormScreen) and screen.is_mounted and all(
            screen.query(f"#field-{name}") for name in values)

    await until(pilot, form_ready, f"a form with the fields {', '.join(values)}")
    screen = app.screen
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
    await until(pilot, lambda: app.screen is not screen or _form_error_shown(screen),
                "the form to close or show an error")
