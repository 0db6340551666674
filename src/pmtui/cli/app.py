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
from typing import TYPE_CHECKING

from pmtui.cli.errors import UserError, fail, load_document

if TYPE_CHECKING:
    from pmtui.store import Document
    from pmtui.ui.app import PmApp


def _load(path: Path) -> Document:
    try:
        return load_document(path)
    except UserError as exc:
        fail(exc, prefix="pmtui: ")


def _run(app: PmApp) -> None:
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
            fail(f"{file}: folder {file.parent} does not exist", prefix="pmtui: ")
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
    """Open the app on a copy of the bundled demo incident (no network).
    The copy lives in a temporary folder removed on the way out, unless
    the copy was saved with changes: then it is kept, and its place said."""
    import shutil

    from pmtui.examples import example_path

    folder = Path(tempfile.mkdtemp(prefix="pmtui-demo-"))
    try:
        path = copy_demo(folder)
    except (OSError, FileNotFoundError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        fail(f"cannot copy the demo incident to {folder}: {exc.strerror or exc}", prefix="pmtui: ")
    app: PmApp | None = None
    try:
        document = _load(path)
        from pmtui.ui.app import PmApp

        app = PmApp(document, demo=True)
        app.run()
    finally:
        now = app.document.path if app is not None else None
        saved_beside = now is not None and now.parent == folder and now != path
        if _differs(path, example_path()) or saved_beside:
            print(f"Your edited demo copy is kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if app.return_code:
        sys.exit(app.return_code)


def _differs(copy: Path, original: Path) -> bool:
    try:
        return copy.read_bytes() != original.read_bytes()
    except OSError:
        return True  # cannot tell: keep it
