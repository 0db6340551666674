"""The recovery and conflict dialogs on their own: every choice comes back,
the diff is shown as plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input

from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.ui.screens.conflict import OVERWRITE, RELOAD, SAVE_AS, ConflictChoice, ConflictScreen
from pmtui.ui.screens.recovery import DISCARD, KEEP_BOTH, RESTORE, DiffView, RecoveryScreen

ORIGINAL = 'schema = 1\ntitle = "DB pool"\n'
EDITED = 'schema = 1\ntitle = "[bold]DB[/] pool \x1b]0;pwned\x07"\n'


class Host(App[None]):
    def __init__(self, screen) -> None:
        super().__init__()
        self.dialog = screen
        self.result = "unset"

    def on_mount(self) -> None:
        def done(value) -> None:
            self.result = value

        self.push_screen(self.dialog, done)


def _recovery(tmp_path: Path):
    pm = tmp_path / "pm.toml"
    pm.write_text(ORIGINAL)
    Journal(pm, root=tmp_path / "state").write(EDITED)
    rec = find_recovery(pm, root=tmp_path / "state")
    assert rec is not None
    return rec


@pytest.mark.parametrize(("key", "expected"), [
    ("r", RESTORE), ("d", DISCARD), ("k", KEEP_BOTH), ("escape", KEEP_BOTH), ("enter", KEEP_BOTH),
])
async def test_recovery_choices(tmp_path, key, expected):
    app = Host(RecoveryScreen(_recovery(tmp_path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    assert app.result == expected


async def test_recovery_keys_and_diff_shown_verbatim(tmp_path):
    app = Host(RecoveryScreen(_recovery(tmp_path)))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        diff = app.screen.query_one(DiffView)
        rendered = diff.render().plain
        assert '+title = "[bold]DB[/] pool ␛]0;pwned␇"' in rendered
        assert '-title = "DB pool"' in rendered
        assert "\x1b" not in rendered
        keys = str(app.screen.query_one("#dialog-keys").render())
        assert "r restore them" in keys and "enter/esc/k keep both" in keys
        await pilot.press("r")
        await pilot.pause()
    assert app.result == RESTORE


@pytest.mark.parametrize(("key", "expected"), [
    ("r", RELOAD), ("o", OVERWRITE), ("escape", "cancel"), ("enter", "cancel"),
])
async def test_conflict_choices(tmp_path, key, expected):
    app = Host(ConflictScreen(tmp_path / "pm.toml", ORIGINAL, EDITED))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    assert app.result == ConflictChoice(expected)


async def test_conflict_show_diff_then_save_as(tmp_path):
    (tmp_path / "taken.toml").write_text("x")
    app = Host(ConflictScreen(tmp_path / "pm.toml", ORIGINAL, EDITED))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#diff-scroll")
        assert not scroll.display
        await pilot.press("d")
        await pilot.pause()
        assert scroll.display
        assert "(your version)" in app.screen.query_one(DiffView).render().plain
        await pilot.press("a")
        await pilot.pause()
        box = app.screen.query_one("#save-as", Input)
        assert box.has_focus and box.value.endswith("pm.mine.toml")
        box.value = "taken.toml"  # exists: refused, the dialog stays
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "unset"
        box.value = "mine.toml"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == ConflictChoice(SAVE_AS, tmp_path / "mine.toml")


async def test_conflict_when_file_was_deleted(tmp_path):
    app = Host(ConflictScreen(tmp_path / "pm.toml", None, EDITED))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "was deleted" in str(app.screen.query_one(".dialog--title").render())
        await pilot.press("o")
        await pilot.pause()
    assert app.result == ConflictChoice(OVERWRITE)
