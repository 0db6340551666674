"""Key hints can't lie: every text that names a key reads it from the
binding, so a key rebound through Textual's keymap shows as rebound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pmtui import store
from pmtui.model import PostMortem
from pmtui.sample import sample_postmortem
from pmtui.ui.app import PmApp
from pmtui.ui.keys import capitalized, key_for, key_text, keys_for
from pmtui.ui.panes.collect import CollectPane
from pmtui.ui.panes.timeline import FilterInput, TimelinePane

NOW = datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC)


def app_on(tmp_path, pm: PostMortem, first_pane: str = "overview") -> PmApp:
    path = tmp_path / "incident.toml"
    store.save(store.new_document(pm, path))
    return PmApp(store.load(path), first_pane=first_pane, now=lambda: NOW, blink=False)


def toasts(app: PmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_key_text_spells_keys_as_sentences_do():
    assert [key_text(k) for k in ("ctrl+z", "space", "A", "slash", "escape", "enter", "question_mark")] == [
        "ctrl+z", "space", "A", "/", "esc", "enter", "?",
    ]
    assert capitalized("space") == "Space" and capitalized("a") == "a" and capitalized("/") == "/"


async def test_hints_follow_the_declared_keys(tmp_path):
    app = app_on(tmp_path, sample_postmortem(), "actions")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane = app.panes["actions"]
        assert key_for(pane, "edit.undo") == "ctrl+z"  # the app's binding
        assert key_for(pane, "actions.delete") == "x"  # the pane's, first of x,delete
        assert keys_for(pane, "actions.delete") == ["x", "del"]
        with pytest.raises(LookupError, match=r"no binding 'actions\.nothing'"):
            key_for(pane, "actions.nothing")
        await pilot.press("x")
        await pilot.pause()
        assert "Deleted AI-001 (ctrl+z undoes)" in toasts(app)


async def test_rebound_keys_show_as_rebound(tmp_path):
    pm = sample_postmortem()
    pm.timeline = []
    app = app_on(tmp_path, pm, "overview")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.set_keymap({"edit.undo": "ctrl+u", "timeline.add": "n", "go.collect": "f2",
                        "timeline.clear_filter": "ctrl+l"})
        pane = await app.show_pane("timeline")
        await pilot.pause()
        assert isinstance(pane, TimelinePane)
        empty = pane.table.empty_text
        assert empty == "No events yet: press n to add one, or collect them from the sources (pane f2)."
        assert "ctrl+l clear" in pane.query_one(FilterInput).placeholder
        assert pane.key("timeline.clear_filter", owner=FilterInput) == "ctrl+l"
        # The rebound key works, and the toast names it.
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert "Deleted AI-001 (ctrl+u undoes)" in toasts(app)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert [a.id for a in app.session.pm.actions] == ["AI-001"]


async def test_collect_hints_name_the_accept_keys(tmp_path):
    app = app_on(tmp_path, sample_postmortem(), "collect")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.set_keymap({"collect.accept": "y", "collect.view": "tab"})
        pane = app.panes["collect"]
        assert isinstance(pane, CollectPane)
        pane._rebuild()  # drawn again, as after any change
        await pilot.pause()
        assert pane.table.empty_text.endswith("then y to accept one, A to accept all.")
        assert key_for(pane, "collect.view") == "tab"
