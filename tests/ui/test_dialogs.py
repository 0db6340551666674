"""Every question pmtui asks (screens.dialog.Dialog) shows its words and
its keys at 80x24, and enter gives the safe answer. Dialogs added later
are held to it too: they are found by walking Dialog's subclasses."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.screen import ModalScreen

from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.ui.keys import binding_classes, bindings_of, import_ui
from pmtui.ui.screens.confirm import ConfirmScreen, UnsavedScreen
from pmtui.ui.screens.conflict import ConflictChoice, ConflictScreen
from pmtui.ui.screens.dialog import Dialog
from pmtui.ui.screens.recovery import KEEP_BOTH, RecoveryScreen


def all_dialogs() -> list[type[Dialog]]:
    import_ui()
    out, stack = [], list(Dialog.__subclasses__())
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack += cls.__subclasses__()
    return out


def test_every_dialog_puts_its_safe_answer_on_enter_and_escape():
    dialogs = all_dialogs()
    assert {ConfirmScreen, UnsavedScreen, RecoveryScreen, ConflictScreen} <= set(dialogs)
    for cls in dialogs:
        safe = [b for b in bindings_of(cls) if b.id == cls.SAFE_ID]
        assert safe, f"{cls.__name__}.SAFE_ID {cls.SAFE_ID!r} names no binding"
        keys = safe[0].key.split(",")
        assert "enter" in keys and "escape" in keys, f"{cls.__name__}: enter and escape must give the safe answer"


def test_every_modal_screen_is_a_dialog_a_form_or_a_viewer():
    """A new question must be a Dialog (text, keys, safe enter); the only
    other modal screens are forms and read-only viewers."""
    from pmtui.ui.screens.form import FormScreen

    viewers = {"HelpScreen", "ViewScreen", "EvidenceScreen"}
    for cls in binding_classes():
        if issubclass(cls, ModalScreen) and not issubclass(cls, Dialog | FormScreen):
            assert cls.__name__ in viewers, f"{cls.__name__} asks something: make it a screens.dialog.Dialog"


class Host(App[None]):
    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


def _recovery(tmp_path: Path):
    pm = tmp_path / "pm.toml"
    pm.write_text('schema = 1\ntitle = "DB pool"\n')
    Journal(pm, root=tmp_path / "state").write('schema = 1\ntitle = "DB pool exhausted"\n')
    return find_recovery(pm, root=tmp_path / "state")


def _export(tmp_path):
    from pmtui.export import offline_plan, settings_for
    from pmtui.model import GithubExportSettings
    from pmtui.sample import sample_postmortem
    from pmtui.ui.screens.export import ExportScreen

    pm = sample_postmortem()
    pm.github = GithubExportSettings(repo="acme/ops")
    plan = offline_plan(pm, settings_for(pm), "test")
    return ExportScreen(plan, on_confirm=lambda: None, on_cancel=lambda: None)


def _trust(tmp_path):
    from pmtui.ui.screens.trust import TrustScreen

    return TrustScreen(where="https://prometheus.example.net", named_by="pm.toml [sources.prometheus] url",
                       credentials=["the value of $PROM_TOKEN"], purpose="Prometheus")


CASES = {
    "trust": (_trust, ["Send a credential to a server this file names? (Prometheus)",
                       "https://prometheus.example.net", "the value of $PROM_TOKEN", "y send it",
                       "enter/esc/n don't send"], False),
    "export": (_export, ["Export action items to acme/ops", "Write this to GitHub?", "y export",
                         "enter/esc/n cancel"], False),
    "confirm": (lambda tmp: ConfirmScreen("x.toml is already open in another pmtui (pid 4242 on host). Saving "
                                          "from both would overwrite each other's work. Open it here anyway?",
                                          yes="open it here anyway", no="quit"),
                ["Open it here anyway?", "y open it here anyway", "enter/esc/n quit"], False),
    "unsaved": (lambda tmp: UnsavedScreen(),
                ["Save them before quitting?", "s save and quit", "d discard changes and quit",
                 "enter/esc/c keep editing"], "cancel"),
    "recovery": (lambda tmp: RecoveryScreen(_recovery(tmp)),
                 ["Unsaved changes found for pm.toml", "Restore them?", "r restore them", "d discard them",
                  "enter/esc/k keep both"], KEEP_BOTH),
    "conflict": (lambda tmp: ConflictScreen(tmp / "pm.toml", "schema = 1\n", "schema = 1\ntitle = 'x'\n"),
                 ["changed on disk since you opened it", "a save yours as", "r reload theirs",
                  "o overwrite theirs", "enter/esc cancel"], ConflictChoice("cancel")),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_dialog_shows_question_and_keys_at_80x24_and_enter_is_safe(case, tmp_path, screen_text):
    make, expected, safe = CASES[case]
    app = Host(make(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        text = " ".join(" ".join(screen_text(app).split()).split())
        for words in expected:
            assert words in text, (words, screen_text(app))
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [safe]
