"""Pane.after_refresh: a callback for after the next refresh that is not
lost with a screen that closes before refreshing. Textual's own
call_after_refresh hands the callback to the screen on top at that moment
and drops it with that screen (a dialog answered at once, as the recovery
question at start-up was): the Overview's build, the timeline's filter and
its key count each stopped for good when that happened."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.sample import sample_postmortem
from pmtui.session import EditSession
from pmtui.ui.panes.base import AFTER_REFRESH_AT_LATEST, Pane


class Question(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("A question")


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Pane(EditSession(sample_postmortem()), id="pane")


async def _asked_then_answered(app: Host, schedule) -> list[str]:
    """Schedule a callback while a question is on top, then close the
    question before it refreshes; what ran within a while."""
    ran: list[str] = []
    question = Question()
    app.push_screen(question)
    schedule(lambda: ran.append("ran"))
    # Textual forwards the callback to the screen on top once the pane's
    # queue gets to it; the question is closed right then.
    while not question._callbacks:  # textual is pinned
        await asyncio.sleep(0)
    app.pop_screen()
    await asyncio.sleep(AFTER_REFRESH_AT_LATEST + 0.3)
    return ran


async def test_a_callback_outlives_a_screen_closed_before_it_refreshed():
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        pane = app.query_one(Pane)
        # Textual's own: dropped (what the pane's helper is for).
        assert await _asked_then_answered(app, pane.call_after_refresh) == []
        assert await _asked_then_answered(app, pane.after_refresh) == ["ran"]


async def test_a_callback_runs_once_after_the_refresh():
    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        ran: list[str] = []
        app.query_one(Pane).after_refresh(lambda: ran.append("ran"))
        await pilot.pause()
        assert ran == ["ran"]
        await asyncio.sleep(AFTER_REFRESH_AT_LATEST + 0.1)
        assert ran == ["ran"]
