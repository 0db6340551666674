"""`pmtui FILE` and `pmtui demo`: what opens the app.

Unreadable input exits 2 with one clear message on standard error, never a
traceback. Textual itself is imported only once the file has been read.
No click here: `pmtui demo` and `pmtui FILE` reach these functions without
it (pmtui.cli.run); the click commands wrapping them are in cli_group.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

def _fail(message: str) -> None:
    sys.stderr.write(f"pmtui: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def _load(path: Path):
    from pmtui import store

    try:
        return store.load(path)
    except store.StoreError as exc:
        _fail(str(exc))
    except IsADirectoryError:
        _fail(f"{path}: is a folder, not a post-mortem file")
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        _fail(f"{path}: {exc.strerror or exc}")


def _run(app) -> None:
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def open_path(file: Path) -> None:
    """Open the app on FILE (created if missing, after asking for a title)."""
    if file.exists():
        document = _load(file)
        ask_title = False
    else:
        if not file.parent.is_dir():
            _fail(f"{file}: folder {file.parent} does not exist")
        from pmtui import store
        from pmtui.model import PostMortem

        document = store.new_document(PostMortem(), file)
        ask_title = True
    from pmtui.ui.app import PmApp

    _run(PmApp(document, ask_title=ask_title))


def copy_demo(dest: Path) -> Path:
    """Copy the bundled demo incident and its recordings into `dest`;
    returns the copied file."""
    from pmtui.examples import copy_example

    return copy_example(dest)


def run_demo() -> None:
    """Open the app on a copy of the bundled demo incident (no network)."""
    folder = Path(tempfile.mkdtemp(prefix="pmtui-demo-"))
    try:
        path = copy_demo(folder)
    except (OSError, FileNotFoundError) as exc:
        _fail(f"cannot copy the demo incident to {folder}: {exc.strerror or exc}")
    document = _load(path)
    from pmtui.ui.app import PmApp

    app = PmApp(document, demo=True)
    app.run()
    print(f"The demo copy is kept at {path}")
    if app.return_code:
        sys.exit(app.return_code)
