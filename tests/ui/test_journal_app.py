"""The guard inside the real app: edits reach the journal within a second,
a save clears it, the next open offers the recovery, an outside change to
the file stops the save with the conflict dialog, a second instance is
warned through the lock, and a save keeps the previous version."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from rich.text import Text

from pmtui import store
from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.filesafety.lock import FileLock
from pmtui.sample import sample_postmortem
from pmtui.ui.app import PmApp
from pmtui.ui.screens.confirm import ConfirmScreen
from pmtui.ui.screens.conflict import ConflictScreen
from pmtui.ui.screens.recovery import RecoveryScreen


def saved_file(tmp_path: Path) -> Path:
    path = tmp_path / "incident.toml"
    store.save(store.new_document(sample_postmortem(), path))
    return path


def open_app(path: Path) -> PmApp:
    return PmApp(store.load(path), first_pane="timeline")


def shown(app, screen_class) -> bool:
    """The dialog is on screen (mounted): a dialog shown unasked takes only
    keys typed once it is there."""
    return isinstance(app.screen, screen_class) and app.screen.is_mounted


async def wait_for(predicate, timeout: float = 3.0) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_edit_reaches_journal_within_a_second_and_save_clears_it(tmp_path):
    path = saved_file(tmp_path)
    app = open_app(path)
    async with app.run_test() as pilot:
        await pilot.pause()
        pm = app.session.pm
        app.session.set("overview", "edit title", pm, "title", "Edited over SSH")
        took = await wait_for(lambda: find_recovery(path) is not None, timeout=2.0)
        assert took < 1.0
        rec = find_recovery(path)
        assert 'title = "Edited over SSH"' in rec.text
        assert app.save()
        assert find_recovery(path) is None
        assert not Journal(path).exists
        assert 'title = "Edited over SSH"' in path.read_text()
        # The previous version is kept beside the file.
        assert 'title = "Edited over SSH"' not in path.with_name("incident.toml.bak").read_text()


async def test_next_open_offers_recovery_and_restore_brings_edits_back(tmp_path):
    path = saved_file(tmp_path)
    doc = store.load(path)
    doc.pm.title = "Recovered title"
    Journal(path, opened_sha256=doc.stamp.sha256).write(store.dumps(doc))
    app = open_app(path)
    async with app.run_test() as pilot:
        await wait_for(lambda: shown(app, RecoveryScreen))
        await pilot.press("r")
        await pilot.pause()
        assert app.session.pm.title == "Recovered title"
        assert app.session.dirty
        assert "Recovered title" not in path.read_text()
        assert app.save()
    assert store.load(path).pm.title == "Recovered title"
    assert find_recovery(path) is None


async def test_keep_both_leaves_the_file_and_writes_a_copy(tmp_path):
    path = saved_file(tmp_path)
    before = path.read_bytes()
    doc = store.load(path)
    doc.pm.title = "Other title"
    Journal(path).write(store.dumps(doc))
    app = open_app(path)
    async with app.run_test() as pilot:
        await wait_for(lambda: shown(app, RecoveryScreen))
        await pilot.press("k")
        await pilot.pause()
        assert not app.session.dirty
    copies = list(tmp_path.glob("incident.recovered-*.toml"))
    assert len(copies) == 1 and store.load(copies[0]).pm.title == "Other title"
    assert path.read_bytes() == before


async def test_outside_change_is_never_silently_overwritten(tmp_path):
    path = saved_file(tmp_path)
    app = open_app(path)
    async with app.run_test() as pilot:
        await pilot.pause()
        pm = app.session.pm
        app.session.set("overview", "edit title", pm, "title", "Mine")
        theirs = path.read_text().replace(pm.id, pm.id + "-THEIRS", 1)
        path.write_text(theirs)  # a git pull while the app is open
        assert app.save() is False
        await pilot.pause()
        assert isinstance(app.screen, ConflictScreen)
        assert path.read_text() == theirs
        await pilot.press("d")  # show the diff
        await pilot.pause()
        await pilot.press("escape")  # cancel: still nothing written
        await pilot.pause()
        assert path.read_text() == theirs
        app.save()
        await pilot.pause()
        await pilot.press("o")  # overwrite, knowingly
        await pilot.pause()
        assert store.load(path).pm.title == "Mine"
        assert path.with_name("incident.toml.bak").read_text() == theirs
        assert not app.session.dirty


async def test_conflict_reload_takes_their_version(tmp_path):
    path = saved_file(tmp_path)
    app = open_app(path)
    async with app.run_test() as pilot:
        await pilot.pause()
        pm = app.session.pm
        app.session.set("overview", "edit title", pm, "title", "Mine")
        doc = store.load(path)
        doc.pm.title = "Theirs"
        store.save(doc)
        app.save()
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # unsaved edits: asked first
        await pilot.press("y")
        await pilot.pause()
        assert app.session.pm.title == "Theirs" and not app.session.dirty
        # Now in step with the disk: the next save goes through.
        app.session.set("overview", "edit title", pm, "title", "Merged")
        assert app.save()
    assert store.load(path).pm.title == "Merged"


HOLDER = """
import sys
from pmtui.filesafety.lock import FileLock
lock = FileLock(sys.argv[1])
print("held" if lock.acquire() else "refused", flush=True)
sys.stdin.readline()
lock.release()
"""


async def test_second_instance_is_warned_and_may_quit(tmp_path):
    path = saved_file(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        app = open_app(path)
        async with app.run_test() as pilot:
            await wait_for(lambda: shown(app, ConfirmScreen))
            assert f"pid {holder.pid}" in app.screen.question
            await pilot.press("n")
            await pilot.pause()
        assert app.return_code == 1
    finally:
        holder.communicate("\n", timeout=10)
    # The first instance's lock was left alone.
    assert FileLock(path).acquire()


async def test_recovery_answered_at_once_still_builds_the_overview(tmp_path):
    """r pressed the moment the recovery question is up (a fast link): the
    Overview's form still gets built, with the restored title in it.
    Textual had handed the form's next step to the question's screen, which
    dropped it when it closed: the pane kept its first summary for ever."""
    from pmtui.ui.panes.overview import OverviewPane

    path = saved_file(tmp_path)
    doc = store.load(path)
    doc.pm.title = "Recovered title"
    Journal(path, opened_sha256=doc.stamp.sha256).write(store.dumps(doc))
    app = PmApp(store.load(path), blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: shown(app, RecoveryScreen))
        await pilot.press("r")
        pane = app.panes["overview"]
        assert isinstance(pane, OverviewPane)
        await asyncio.wait_for(pane.form_shown.wait(), 10)
        await pilot.pause()
        assert not pane.query("#overview-summary")
        assert pane.raw("title") == "Recovered title"


async def test_a_render_in_steps_goes_on_when_a_key_closes_the_screen_on_top(tmp_path):
    """The journal's render waits for a key's frame; a key that closes the
    screen on top (escape in a dialog) takes with it the callback Textual
    gave that screen: the render goes on regardless, and finishes."""
    from pmtui.sample import large_postmortem
    from pmtui.store.document import RENDER_STEP
    from pmtui.ui.screens.view import ViewScreen

    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(RENDER_STEP + 5_000), path))
    app = PmApp(store.load(path), first_pane="timeline", blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.guard is not None and app.loading is None, timeout=20)
        assert app.renders_in_steps()
        app.push_screen(ViewScreen("A title", Text("Some text")))
        await wait_for(lambda: shown(app, ViewScreen))
        job = asyncio.create_task(app.render_in_steps())
        await pilot.press("escape")
        await asyncio.wait_for(job, 10)
        assert not isinstance(app.screen, ViewScreen)
