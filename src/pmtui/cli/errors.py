"""Exit status and user errors for every command: the one place both live.

Exit status is a contract for scripts and CI: 0 fine, 1 checks or work
failed, 2 the input could not be used — with one clear line per problem on
standard error and never a traceback for a user's mistake.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

from pmtui.redact import redact
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.model import PostMortem
    from pmtui.store import Document, Loading

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


class UserError(Exception):
    """Input pmtui cannot use; each line of the message is one problem."""


def say(text: str) -> None:
    """One line on standard error, redacted and safe for the terminal."""
    sys.stderr.write(one_line(redact(text)) + "\n")
    sys.stderr.flush()


def fail(problem: BaseException | str, *, code: int = EXIT_UNUSABLE, prefix: str = "") -> NoReturn:
    """Report `problem` (one line per line of its text) and exit. Errors
    quote the file (a bad value, a line of it): redacted whole first, as a
    key block spans lines."""
    for line in redact(str(problem)).splitlines() or ["unknown error"]:
        sys.stderr.write(f"{prefix}{one_line(line)}\n")
    sys.stderr.flush()
    sys.exit(code)


def load_document(path: str | Path) -> Document:
    """The post-mortem at `path`, or UserError saying why it cannot be used."""
    from pmtui import store

    return _user_errors(path, lambda: store.load(path))


def read_postmortem(path: str | Path) -> PostMortem:
    """Only the model (to check it or write its report), or UserError."""
    from pmtui import store

    return _user_errors(path, lambda: store.read_model(path))


def open_loading(path: str | Path) -> Loading:
    """The post-mortem at `path` opened for the app, its rows read on a
    slice at a time (store.Loading), or UserError. A file read whole by
    its first slice is finished here, so its problems stop the command."""
    from pmtui import store

    def opened() -> Loading:
        loading = store.Loading(path)
        if loading.done:
            loading.finish()
        return loading

    return _user_errors(path, opened)


T = TypeVar("T")


def _user_errors(path: str | Path, read: Callable[[], T]) -> T:
    from pmtui import store

    try:
        return read()
    except store.StoreError as exc:
        raise UserError(str(exc)) from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a post-mortem file") from None
    except FileNotFoundError:
        raise UserError(f"{path}: no such file (create it with `pmtui new {path} --title ...`)") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from None
