"""The pane convention (pmtui.ui.panes.base): a pane hears the session
exactly while it is mounted, and knows the app only through its context."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.app import App, ComposeResult

from pmtui import edits, store
from pmtui.sample import sample_postmortem
from pmtui.session import EditSession
from pmtui.ui.app import PANES, PmApp
from pmtui.ui.panes.actions import ActionsPane
from pmtui.ui.panes.base import Pane, PaneContext

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


class Host(App[None]):
    """A bare app holding one pane: no PmApp around it."""

    def __init__(self, pane: Pane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


async def test_a_pane_hears_the_session_only_while_mounted():
    session = EditSession(sample_postmortem())
    pane = ActionsPane(session, PaneContext(now=lambda: NOW))
    async with Host(pane).run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert session._listeners == [pane.on_change]
        assert pane.today() == NOW.date()
        session.run(edits.add_action(session.pm, 1, {"action": "Alert on pool saturation", "owner": "@bob"}))
        await pilot.pause()
        assert [a.id for a in pane.table.rows] == ["AI-001", "AI-002"]
        assert pane.table.cursor_value is session.pm.actions[1]
        await pane.remove()
        assert session._listeners == []
        session.undo()  # no pane left to hear it, and nothing breaks
        assert [a.id for a in session.pm.actions] == ["AI-001"]


async def test_the_default_context_stands_alone():
    context = PaneContext()
    assert context.document_path() is None and context.save() is False and context.show_pane is None
    assert context.now().tzinfo is not None and context.first_frame_shown()
    pane = ActionsPane(EditSession(sample_postmortem()))
    assert pane.show_location("timeline") is False
    async with Host(pane).run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane.notify("[b]not markup[/b]")
        await pilot.pause()
        assert [n.message for n in pilot.app._notifications] == ["[b]not markup[/b]"]
        assert [n.markup for n in pilot.app._notifications] == [False]


async def test_the_app_builds_every_pane_with_its_context(tmp_path: Path):
    path = tmp_path / "incident.toml"
    store.save(store.new_document(sample_postmortem(), path))
    app = PmApp(store.load(path), now=lambda: NOW, blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for info in PANES:
            pane = await app.show_pane(info.name)
            assert pane.pane_name == info.name and pane.context is app.pane_context
        context = app.pane_context
        assert context.now() == NOW and context.document_path() == path
        app.document.path = tmp_path / "moved.toml"  # as a save-as does
        assert context.document_path() == tmp_path / "moved.toml"
        assert context.first_frame_shown()


def test_the_preview_knows_what_every_area_touches():
    from pmtui.report import SECTION_KEYS
    from pmtui.session import Area
    from pmtui.ui.panes.report import SECTIONS_FOR_AREA

    assert set(SECTIONS_FOR_AREA) == set(Area)
    assert all(sections <= set(SECTION_KEYS) for sections in SECTIONS_FOR_AREA.values())
