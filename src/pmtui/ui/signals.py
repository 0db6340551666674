"""SIGHUP (the SSH connection dropped, the terminal closed) and SIGTERM:
flush the recovery journal and be gone within a second.

The handlers run on the app's event loop (`loop.add_signal_handler`), never
in the middle of an edit, so the journal gets a consistent post-mortem.
After a hang-up there is no terminal left to restore, so the process ends
at once with 128+SIGHUP. After SIGTERM the terminal is still there: it is
put back to normal (the driver leaves application mode) and the process
ends; a watchdog ends it anyway if that takes longer than EXIT_DEADLINE.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import Protocol

from textual.driver import Driver

EXIT_DEADLINE = 0.7  # seconds; the journal flush comes first, within the second
HANGUP_STATUS = 128 + signal.SIGHUP
TERMINATE_STATUS = 128 + signal.SIGTERM


class SignalledApp(Protocol):
    """What the handlers need of the app: its driver, to put the terminal back."""

    _driver: Driver | None  # textual is pinned


def install(app: SignalledApp, save_work: Callable[[], None]) -> Callable[[], None]:
    """Install the handlers for `app` (a running textual App). `save_work`
    flushes the journal and releases the lock; it must not raise, but if it
    does, the exit still happens. Returns a function removing the handlers."""
    loop = asyncio.get_running_loop()
    handled = {"done": False}

    def on_signal(signum: int) -> None:
        if handled["done"]:  # a second signal while exiting: don't flush twice
            return
        handled["done"] = True
        try:
            save_work()
        finally:
            if signum == signal.SIGHUP:
                os._exit(HANGUP_STATUS)
            watchdog = threading.Timer(EXIT_DEADLINE, os._exit, args=(TERMINATE_STATUS,))
            watchdog.daemon = True
            watchdog.start()
            # A full app.exit() unmounts every pane and can outlast the
            # deadline; putting the terminal back (main screen, no mouse
            # reporting, cursor shown) is all that matters before leaving.
            driver = app._driver
            with contextlib.suppress(Exception):
                if driver is not None:
                    driver.stop_application_mode()
            os._exit(TERMINATE_STATUS)

    installed = []
    for signum in (signal.SIGHUP, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, on_signal, signum)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (headless tests) or no signals here
        installed.append(signum)

    def uninstall() -> None:
        for signum in installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)

    return uninstall
