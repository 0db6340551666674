"""What keeps the app's work safe, in one place: the lock (a second pmtui is
warned), the recovery offer on open, the journal written within a second of
every edit, the hang-up/terminate handlers, the conflict check and backup
before each save. The app calls `start()` once mounted (and the file read),
`save_check()` before a save and `after_save()` once it landed (the check
and the backup happen with the write: ui.saver), and `stop()` when it
unmounts.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from pmtui.filesafety.disk import Fingerprint
from pmtui.filesafety.journal import FLUSH_PERIOD, Journal, JournalWriter, Recovery, find_recovery
from pmtui.filesafety.lock import FileLock
from pmtui.model import PostMortem
from pmtui.session import Area, Change, EditSession
from pmtui.textsafe import one_line
from pmtui.ui import signals

if TYPE_CHECKING:
    from pmtui.store import Document

# A flush waits for a quarter second without edits, and no edit waits for
# the journal more than 0.9 s ("every change journaled within a second").
JOURNAL_IDLE = 0.25
JOURNAL_MAX_DELAY = 0.9


def document_fingerprint(document: Document) -> Fingerprint | None:
    """The file as the document last read or wrote it (store.FileStamp);
    None for a file not on disk yet."""
    # A stand-in that only holds a path and a post-mortem (tests, a
    # document not read from disk) has no stamp: not on disk as far as we know.
    stamp = getattr(document, "stamp", None)
    if stamp is None:
        return None
    return Fingerprint(stamp.mtime_ns, stamp.size, stamp.sha256)


class GuardedApp(signals.SignalledApp, Protocol):
    """What the guard needs of the app it keeps safe: PmApp is one (named
    by shape: the app module imports this one)."""

    document: Document
    session: EditSession
    _exception: Exception | None  # textual is pinned: set when the app crashed

    def save(self, *, background: bool = False) -> bool: ...

    def renders_in_steps(self) -> bool: ...

    async def render_in_steps(self, *, touched: bool = False,
                              copy: bool = False) -> tuple[int, list[str] | str, str] | None: ...

    def saved_elsewhere(self) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> object: ...

    def exit(self, result: None = None, return_code: int = 0, message: str | None = None) -> None: ...

    def set_interval(self, interval: float, callback: Callable[[], object] | None = None) -> Timer: ...


class Guard:
    def __init__(self, app: GuardedApp) -> None:
        self.app = app
        self.lock: FileLock | None = None
        self.writer: JournalWriter | None = None
        self.signalled = False
        self._uninstall: Callable[[], None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._timer: Timer | None = None
        self._force_next_save = False
        self._journal_warned = False
        self._rendering: asyncio.Task[None] | None = None  # a big document's journal render in steps

    @property
    def path(self) -> Path:
        path = self.app.document.path
        if path is None:
            raise ValueError("the app edits a document without a file")
        return path

    # -- opening ---------------------------------------------------------------

    def start(self) -> None:
        self._uninstall = signals.install(self.app, self.save_work)
        self.lock = FileLock(self.path)
        if self.lock.acquire() or self.lock.other is None:
            if self.lock.error is not None:  # a full disk under the state folder: open all the same
                self.app.notify(f"{one_line(self.lock.error)}: another pmtui could open this file too.",
                                severity="warning", timeout=10, markup=False)
            self._offer_recovery()
            return
        from pmtui.ui.screens.confirm import ConfirmScreen

        lock, other = self.lock, self.lock.other

        def answered(open_anyway: bool | None) -> None:
            if open_anyway:
                lock.take_over()
                self._start_journal()
            else:
                self.app.exit(return_code=1, message=f"{self.path} is open in another pmtui ({other.describe()}).")

        self.app.push_screen(
            ConfirmScreen(
                f"{one_line(self.path.name)} is already open in another pmtui: {one_line(other.describe())}. "
                "Saving from both would overwrite each other's work. Open it here anyway?",
                yes="open it here anyway",
                no="quit, leave it to the other",
                title="Open in another pmtui",
                unasked=True,
            ),
            answered,
        )

    def _offer_recovery(self) -> None:
        recovery = find_recovery(self.path)
        if recovery is None:
            self._start_journal()
            return
        from pmtui.ui.screens.recovery import DISCARD, RESTORE, RecoveryScreen

        def answered(choice: str | None) -> None:
            restored = False
            if choice == RESTORE:
                restored = self._restore(recovery)
            elif choice == DISCARD:
                recovery.discard()
                self.app.notify("Recovered changes discarded.", timeout=3, markup=False)
            else:
                self._keep_both(recovery)
            self._start_journal(dirty=restored)

        self.app.push_screen(RecoveryScreen(recovery), answered)

    def _restore(self, recovery: Recovery) -> bool:
        from pmtui import store

        try:
            recovered = store.loads(recovery.text, path=recovery.path)
        except store.StoreError as exc:
            self._keep_both(recovery, why=f"could not be restored ({one_line(str(exc))})")
            return False
        self.replace_content(recovered.pm)
        self.app.notify(
            "Unsaved changes restored; save to keep them.", title="Recovered", timeout=5, markup=False
        )
        return True

    def _keep_both(self, recovery: Recovery, why: str = "") -> None:
        try:
            copy = recovery.keep_both()
        except OSError as exc:
            # The folder may be read-only: the journal then stays for next time.
            self.app.notify(
                f"Recovered changes kept in the journal, not beside the file: {one_line(str(exc))}",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        lead = f"Recovered changes {why}; " if why else "Recovered changes "
        self.app.notify(f"{lead}saved as {one_line(str(copy))}", timeout=10, markup=False)

    def replace_content(self, pm: PostMortem) -> None:
        """Put `pm`'s content into the open post-mortem object (panes and the
        session hold that object), drop the undo history that points into the
        old content, and tell every pane."""
        current = self.app.session.pm
        for f in dataclasses.fields(current):
            setattr(current, f.name, getattr(pm, f.name))
        session = self.app.session
        session.forget_history()
        for area in Area:
            session.notify(area, "reloaded")

    def _start_journal(self, *, dirty: bool = False) -> None:

        fp = document_fingerprint(self.app.document)
        journal = Journal(self.path, opened_sha256=fp.sha256 if fp else "")
        # The document renders only what changed (milliseconds at 100,000
        # events); the journal appends those line edits, on the writer's
        # thread, and writes the whole text only now and then.
        self.writer = JournalWriter(journal, document=lambda: self.app.document, background=True,
                                    idle=JOURNAL_IDLE, max_delay=JOURNAL_MAX_DELAY)
        self._unsubscribe = self.app.session.subscribe(self._changed)
        touch = getattr(self.app.document, "touch", None)
        if touch is not None:
            touch(None)  # edits made before the journal listened: its first render compares every row
        self._timer = self.app.set_interval(FLUSH_PERIOD, self.flush)
        # The guard starts after the first frame: edits made before it did
        # are journaled at once.
        if dirty or self.app.session.dirty:
            self.writer.changed()
            self.flush()

    def _changed(self, change: Change) -> None:
        # What the edit changed, for the journal's render to compare only
        # those rows (Document.touch; a document in a test may lack it).
        touch = getattr(self.app.document, "touch", None)
        if touch is not None:
            touch(change.touched)
        if self.writer is not None:
            self.writer.changed()

    def flush(self, *, force: bool = False) -> None:
        """Journal pending edits. A journal that cannot be written (a full
        disk, a read-only home) must not stop the editing: say so once. A
        big document is rendered between frames first (the app's
        render_in_steps); a signal's flush renders at once."""
        writer = self.writer
        if writer is None:
            return
        if not force and self.app.renders_in_steps():
            if writer.due() and self._rendering is None:
                self._rendering = asyncio.get_running_loop().create_task(self._flush_big())
            return
        self._flush(force=force)

    async def _flush_big(self) -> None:
        try:
            writer = self.writer
            base = writer is not None and writer.wants_base(self.app.document)
            parts = await self.app.render_in_steps(touched=True, copy=base)
            self._flush(rendered=True, parts=parts)
        finally:
            self._rendering = None

    def _flush(self, *, force: bool = False, rendered: bool = False,
               parts: tuple[int, list[str] | str, str] | None = None) -> None:
        if self.writer is None:
            return
        try:
            self.writer.flush(force=force, rendered=rendered, parts=parts)
            failed = self.writer.take_error()  # from the writer thread's last write
            if failed is not None:
                raise failed
        except Exception as exc:
            if not self._journal_warned:
                self._journal_warned = True
                self.app.notify(
                    f"Recovery journal not written ({one_line(str(exc))}); save often.",
                    severity="warning",
                    timeout=10,
                    markup=False,
                )

    # -- saving ----------------------------------------------------------------

    def save_check(self) -> bool:
        """Whether the next save must check for outside changes first (not
        when the user chose to overwrite them). The check itself, and the
        backup of the previous version, happen with the write (ui.saver)."""
        if self._force_next_save:
            self._force_next_save = False
            return False
        return True

    def conflict(self) -> None:
        """A save found the file changed on disk: the conflict dialog decides."""
        self._show_conflict()

    def after_save(self, revision: int | None = None) -> None:
        """The file holds the post-mortem as of `revision` (now by default):
        nothing to recover, unless edits came after it."""
        if self.writer is not None:
            fp = document_fingerprint(self.app.document)
            self.writer.journal.opened_sha256 = fp.sha256 if fp else ""
            if revision is None or revision == self.app.session.revision:
                self.writer.saved()
            else:
                self.writer.rebase()  # the newer edits stay journaled, against the new file

    def _show_conflict(self) -> None:
        from pmtui import store
        from pmtui.ui.screens.conflict import OVERWRITE, RELOAD, SAVE_AS, ConflictChoice, ConflictScreen

        try:
            disk_text: str | None = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            disk_text = None
        except OSError as exc:
            disk_text = f"(cannot read the file now: {exc.strerror or exc})\n"
        ours = store.dumps(self.app.document)

        def answered(choice: ConflictChoice | None) -> None:
            if choice is None:
                return
            if choice.action == OVERWRITE:
                self._force_next_save = True
                self.app.save()
            elif choice.action == RELOAD:
                self._ask_reload()
            elif choice.action == SAVE_AS and choice.path is not None:
                self._save_as(choice.path)

        self.app.push_screen(ConflictScreen(self.path, disk_text, ours), answered)

    def _ask_reload(self) -> None:
        from pmtui.ui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.reload()

        if self.app.session.dirty:
            self.app.push_screen(
                ConfirmScreen("Reload from disk and drop your unsaved changes?", yes="reload", no="keep editing"),
                answered,
            )
        else:
            self.reload()

    def reload(self) -> bool:
        from pmtui import store

        try:
            fresh = store.load(self.path)
        except (store.StoreError, OSError, UnicodeDecodeError) as exc:
            self.app.notify(f"Not reloaded: {one_line(str(exc))}", severity="error", timeout=10, markup=False)
            return False
        pm = self.app.session.pm
        self.replace_content(fresh.pm)
        fresh.pm = pm  # the session and panes keep their object
        self.app.document = fresh
        self.app.session.mark_saved()
        self.app.saved_elsewhere()
        self.after_save()
        self.app.notify(f"Reloaded {one_line(str(self.path))}", timeout=3, markup=False)
        return True

    def _save_as(self, target: Path) -> None:
        self.save_as(target)

    def save_as(self, target: Path) -> bool:
        """Save to `target` (a new file) and move the lock and journal
        there; False, with the old file still the one edited, when not saved."""
        old = self.path
        self.app.document.path = target
        self._force_next_save = True
        if not self.app.save():
            self._force_next_save = False
            self.app.document.path = old
            return False
        # From now on the app edits the new file: move the lock and journal.
        if self.lock is not None:
            self.lock.release()
        self.lock = FileLock(target)
        self.lock.acquire()
        if self.writer is not None:
            self.writer.journal.clear()
            self.writer.journal = Journal(target, opened_sha256=self.writer.journal.opened_sha256)
        return True

    # -- closing ---------------------------------------------------------------

    def save_work(self) -> None:
        """The process is about to end on a signal: everything to the journal."""
        self.signalled = True
        try:
            if self.writer is not None:
                self.writer.flush(force=True)
        except Exception:
            pass
        finally:
            if self.lock is not None:
                self.lock.release()

    def stop(self) -> None:
        """The app is closing. A clean quit (saved, or the user chose to
        discard) clears the journal; a crash or a signal leaves it."""
        if self._uninstall is not None:
            self._uninstall()
        if self._unsubscribe is not None:
            self._unsubscribe()
        crashed = self.app._exception is not None
        if self.writer is not None:
            if self.signalled or crashed:
                self.flush(force=True)
            else:
                self.writer.closed()
        if self.lock is not None:
            self.lock.release()
