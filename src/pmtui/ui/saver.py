"""Saving on a thread of its own: the app renders the version to save on
its own thread (store.begin_save, milliseconds even at 100,000 events) and
hands it here; the conflict check, the backup of the previous version and
the atomic write (15 MB at 100,000 events) happen on one writer thread, one
save after the other, so a second save waits for the first and the file
is always one whole version of the document. No Textual here: results come
back through the callback the app gives, on the app's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from pmtui import store
from pmtui.filesafety.disk import Fingerprint, backup, changed_since


@dataclass(frozen=True)
class SaveResult:
    job: store.SaveJob
    stamp: store.FileStamp | None = None
    conflict: bool = False  # the file changed on disk since it was read or last written by us
    error: BaseException | None = None
    backup_error: OSError | None = None  # written anyway (the write is atomic), without a backup


def _fingerprint(stamp: store.FileStamp | None) -> Fingerprint | None:
    return None if stamp is None else Fingerprint(stamp.mtime_ns, stamp.size, stamp.sha256)


class Saver:
    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()  # one write at a time, from the thread or the app's
        self._last: store.FileStamp | None = None  # what this saver last wrote
        self._futures: list[Future[SaveResult]] = []

    @property
    def busy(self) -> bool:
        self._futures = [f for f in self._futures if not f.done()]
        return bool(self._futures)

    def submit(self, job: store.SaveJob, expected: store.FileStamp | None, check: bool,
               done: Callable[[SaveResult], object], *, keep_backup: bool = True) -> None:
        """Write `job` on the writer thread; `done(result)` runs on the
        calling thread's event loop afterwards."""
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pmtui-save")
        future = self._executor.submit(self.write, job, expected, check, keep_backup=keep_backup)
        self._futures.append(future)

        def landed(f: Future[SaveResult]) -> None:
            loop.call_soon_threadsafe(done, f.result())

        future.add_done_callback(landed)

    def wait(self, timeout: float | None = 30.0) -> bool:
        """Block until every save handed over is written; False on timeout."""
        for future in list(self._futures):
            try:
                future.result(timeout=timeout)
            except TimeoutError:
                return False
        self._futures = []
        return True

    async def idle(self) -> None:
        """Wait (without blocking the loop) for the saves handed over."""
        for future in list(self._futures):
            await asyncio.wrap_future(future)
        await asyncio.sleep(0)  # their callbacks run before this returns

    def write(self, job: store.SaveJob, expected: store.FileStamp | None, check: bool, *,
              keep_backup: bool = True) -> SaveResult:
        """Check, back up and write `job` on this thread (after any write in
        progress). `expected`: the file as the document last read or wrote
        it; a file that is neither that nor what this saver last wrote was
        changed by someone else, and is not overwritten unless `check` is
        False (the user chose to)."""
        with self._lock:
            try:
                path = job.target
                if check and changed_since(_fingerprint(expected), path):
                    last = self._last
                    if last is None or changed_since(_fingerprint(last), path):
                        return SaveResult(job, conflict=True)
                backup_error = None
                if keep_backup:
                    try:
                        backup(path)
                    except OSError as exc:
                        backup_error = exc
                stamp = store.write_save(job)
            except Exception as exc:
                return SaveResult(job, error=exc)
            self._last = stamp
            # The text is on disk: the result need not hold it (15 MB at 100,000 events).
            return SaveResult(replace(job, parts=[]), stamp=stamp, backup_error=backup_error)

    def forget(self) -> None:
        """The document was replaced (a reload): what this saver wrote last
        no longer stands for it."""
        self._last = None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
