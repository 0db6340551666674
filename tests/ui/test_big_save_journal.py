"""A big post-mortem (more rows than one render step) in the real app: its
journal renders only the rows the edits named, between frames, and ctrl+s
renders, checks and copies it between frames before the saver writes it.
An edit landing while a save is prepared is never half in the file: the
save starts again and writes one state of the document."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from pmtui import edits, store
from pmtui.filesafety.journal import Journal
from pmtui.model import TimelineEvent
from pmtui.sample import large_postmortem
from pmtui.store.document import RENDER_STEP
from pmtui.ui.app import PmApp

EVENTS = RENDER_STEP + 5_000


def _open(tmp_path: Path) -> tuple[PmApp, Path]:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(EVENTS), path))
    return PmApp(store.load(path), first_pane="timeline", blink=False), path


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_journal_of_edits_undo_and_redo_is_what_a_save_writes(tmp_path):
    app, path = _open(tmp_path)
    async with app.run_test() as pilot:
        await _until(lambda: app.guard is not None and app.guard.writer is not None)
        assert app.renders_in_steps()
        pane = app.panes["timeline"]
        rows = app.session.pm.timeline
        moved, far, first = rows[EVENTS // 2], rows[EVENTS - 3], rows[5]
        writer = app.guard.writer

        def journaled() -> bool:
            return not writer.dirty and app.guard._rendering is None and writer.wait(0.01)

        async def journal_is_the_whole_render() -> str:
            await _until(journaled)
            entry = Journal(path).read()
            assert entry is not None
            expected = store.dumps(app.document)  # a render comparing every row
            assert entry.text == expected
            return expected

        app.session.set("timeline", "edit source", first, "source", "first write: every row compared")
        await journal_is_the_whole_render()
        pane.update_event(moved, {"time": moved.time + timedelta(hours=2), "event": "moved two hours"})
        pane.insert_event(TimelineEvent(far.time, "added near the end", kind="action"), after=far)
        await pilot.press("ctrl+z")  # the insert taken back
        await pilot.press("ctrl+z")  # and the move
        await pilot.press("ctrl+y")  # the move again
        app.session.set("timeline", "edit actor", far, "actor", "@gail")
        app.session.run(edits.toggle_key(app.session.pm, first))
        text = await journal_is_the_whole_render()
        assert "moved two hours" in text and 'actor = "@gail"' in text
        assert "added near the end" not in text
        await pilot.press("ctrl+z")  # the key mark taken back: a row far from any moved one
        await journal_is_the_whole_render()


async def test_an_edit_during_a_big_save_is_saved_whole_or_not_at_all(tmp_path):
    app, path = _open(tmp_path)
    async with app.run_test() as pilot:
        await _until(lambda: app.guard is not None)
        pane = app.panes["timeline"]
        row = app.session.pm.timeline[EVENTS - 10]
        pane.update_event(row, {"event": "before the save"})
        version = app.document.version
        app.action_save()  # ctrl+s, without the pilot's pause after it
        while app.document.version == version:  # until the save's render is done, and its check begins
            await asyncio.sleep(0)
        assert app._save_task is not None and not app._save_task.done()
        pane.update_event(row, {"event": "while it was prepared", "actor": "@ann"})
        await app._save_task
        await app._saver.idle()
        await pilot.pause()
        on_disk = store.load(path).pm.timeline
        saved_row = next(e for e in on_disk if e.time == row.time and e.source == row.source)
        # The save started again with the edit: both fields of it, not one.
        assert (saved_row.event, saved_row.actor) == ("while it was prepared", "@ann")
        assert not app.session.dirty
        assert path.read_text() == store.dumps(app.document)


async def test_a_big_save_refuses_a_text_over_its_limit(tmp_path):
    from pmtui.store.validate import MAX_LINE

    app, path = _open(tmp_path)
    before = path.read_bytes()
    async with app.run_test() as pilot:
        await _until(lambda: app.guard is not None)
        row = app.session.pm.timeline[EVENTS - 2]
        app.panes["timeline"].update_event(row, {"event": "x" * (MAX_LINE + 1)})
        await pilot.press("ctrl+s")
        await _until(lambda: app._save_task is not None and app._save_task.done())
        await app._saver.idle()
        await pilot.pause()
        assert app.session.dirty
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Not saved") and f"timeline[{EVENTS - 2}].event" in m for m in messages)
    assert path.read_bytes() == before
