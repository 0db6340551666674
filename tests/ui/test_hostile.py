"""Hostile text in every widget that shows outside text: nothing reaches
the terminal as an escape sequence, no markup is interpreted, control
characters are shown visibly. The app is rendered headless and its output
printed through a real terminal Console, then scanned.

Counts per widget are printed (`pytest -s`) for the closing figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from textual.app import App

from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.model import ActionItem, Factor, PostMortem, TimelineEvent, Why
from pmtui.ui.app import PmApp

BASE = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)


def hostile_postmortem(hostile) -> PostMortem:
    pm = PostMortem(id="PM-H", title="hostile")
    for i, (text, _) in enumerate(hostile.strings):
        pm.whys.append(Why(id=f"W{i + 1}", text=text))
        pm.factors.append(Factor(id=f"F{i + 1}", text=text))
        pm.actions.append(ActionItem(id=f"AI-{i + 1:03d}", action=text, owner=text))
        pm.timeline.append(
            TimelineEvent(time=BASE + timedelta(minutes=i), event=text, source=text, actor=text)
        )
    return pm


def assert_safe_and_shown(hostile, output: str, where: str) -> int:
    problems = hostile.problems(output)
    assert problems == [], f"{where}: {problems[:5]}"
    shown = hostile.visible(output)
    missing = [expect for _, expect in hostile.strings if expect not in shown]
    assert missing == [], f"{where}: not shown literally: {missing[:5]}"
    return len(hostile.strings)


@pytest.mark.parametrize(
    ("pane", "widget"),
    [
        ("timeline", "timeline cells"),
        ("analysis", "whys tree nodes and factor list"),
        ("actions", "action grid cells"),
    ],
)
async def test_pane_shows_hostile_text_as_plain_text(pane, widget, tmp_path, hostile):
    app = PmApp(SimpleNamespace(path=tmp_path / "pm.toml", pm=hostile_postmortem(hostile)), first_pane=pane)
    async with app.run_test(size=(200, 60)) as pilot:
        await app.show_pane(pane)
        await pilot.pause()
        tried = assert_safe_and_shown(hostile, hostile.output(app), widget)
    print(f"hostile strings tried, {widget}: {tried}")


async def test_header_title_shows_hostile_text_as_plain_text(tmp_path, hostile):
    pm = PostMortem(title="x")
    # Opened on another pane: the overview form (tested below) stays unbuilt.
    app = PmApp(SimpleNamespace(path=tmp_path / "pm.toml", pm=pm), first_pane="timeline")
    tried = 0
    async with app.run_test(size=(160, 30)) as pilot:
        for text, expect in hostile.strings:
            pm.title = text
            app.session.notify("timeline", "title")
            await pilot.pause()
            out = hostile.output(app)
            assert hostile.problems(out) == [], repr(text)
            assert expect in hostile.visible(out), repr(text)
            tried += 1
    print(f"hostile strings tried, header title: {tried}")


class _Host(App[None]):
    def __init__(self, make_screen) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


async def test_recovery_and_conflict_diffs_show_hostile_text_as_plain_text(tmp_path, hostile):
    from pmtui.ui.screens.conflict import ConflictScreen
    from pmtui.ui.screens.recovery import RecoveryScreen

    pm_file = tmp_path / "pm.toml"
    pm_file.write_text("schema = 1\n")
    # The file text, not TOML-escaped: a diff shows the file's raw characters.
    body = "".join(f"line = '{text}'\n" for text, _ in hostile.strings)
    Journal(pm_file, root=tmp_path / "state").write("schema = 1\n" + body)
    recovery = find_recovery(pm_file, root=tmp_path / "state")
    for name, make in (
        ("recovery diff", lambda: RecoveryScreen(recovery)),
        ("conflict diff", lambda: ConflictScreen(pm_file, "schema = 1\n", "schema = 1\n" + body)),
    ):
        app = _Host(make)
        async with app.run_test(size=(160, 80)) as pilot:
            await pilot.pause()
            if name == "conflict diff":
                await pilot.press("d")
                await pilot.pause()
            tried = assert_safe_and_shown(hostile, hostile.output(app), name)
        print(f"hostile strings tried, {name}: {tried}")


async def test_notices_show_hostile_text_as_plain_text(tmp_path, hostile):
    """The app's notices quote outside text (paths, error messages)."""
    pm = PostMortem(title="x")
    app = PmApp(SimpleNamespace(path=tmp_path / "pm.toml", pm=pm))
    tried = 0
    async with app.run_test(size=(200, 60)) as pilot:
        for text, _ in hostile.strings:
            app.clear_notifications()
            app.notify(f"Saved as {text}", markup=False, timeout=30)
            await pilot.pause()
            out = hostile.output(app)
            assert hostile.problems(out) == [], repr(text)
            tried += 1
    print(f"hostile strings tried, notices: {tried}")


async def test_overview_form_shows_hostile_text_as_plain_text(tmp_path, hostile):
    """Editable fields keep the value as typed but never render it raw."""
    pm = PostMortem(title="x")
    app = PmApp(SimpleNamespace(path=tmp_path / "pm.toml", pm=pm))
    tried = 0
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        # Four strings a round, one per field, every string through an
        # Input and through the summary TextArea.
        for start in range(0, len(hostile.strings), 4):
            batch = [text for text, _ in hostile.strings[start : start + 4]]
            for attr, text in zip(("title", "trigger", "root_cause", "immediate_cause"), batch, strict=False):
                setattr(pm, attr, text)
            pm.summary = "\n".join(batch)
            app.session.notify("overview", "hostile")
            await pilot.pause()
            out = hostile.output(app)
            assert hostile.problems(out) == [], repr(batch)
            shown = hostile.visible(out)
            # Input stand-ins are one cell each (the cursor must stay
            # aligned), so only the marker is looked for here.
            assert all(re.search(r"H\d\d", text).group() in shown for text in batch), repr(batch)
            tried += len(batch)
    print(f"hostile strings tried, overview inputs and text areas: {tried}")
