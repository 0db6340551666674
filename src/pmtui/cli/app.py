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

from pmtui.cli.errors import UserError, fail, load_document, open_loading

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
    """Open the app on FILE (created if missing, after asking for a title).
    A big file's first screen of rows is shown before the rest is read."""
    loading = None
    if file.exists():
        try:
            loading = open_loading(file)
        except UserError as exc:
            fail(exc, prefix="pmtui: ")
        document = loading.document
        ask_title = False
    else:
        if not file.parent.is_dir():
            fail(f"{file}: folder {file.parent} does not exist", prefix="pmtui: ")
        from pmtui import store
        from pmtui.model import PostMortem

        document = store.new_document(PostMortem(), file)
        ask_title = True
    from pmtui.ui.app import PmApp

    _run(PmApp(document, loading=loading, ask_title=ask_title, first_pane=_first_pane()))


def _first_pane() -> str:
    """The pane shown first: the overview, or PMTUI_FIRST_PANE's (the
    benchmarks open a big file on its timeline)."""
    import os

    from pmtui.ui.app import PANE_BY_NAME

    wanted = os.environ.get("PMTUI_FIRST_PANE", "overview")
    return wanted if wanted in PANE_BY_NAME else "overview"


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
        fail(f"cannot copy the demo incident to {folder}: {exc.strerror or exc}", prefix="pmtui: ")
    document = _load(path)
    from pmtui.ui.app import PmApp

    app = PmApp(document, demo=True)
    app.run()
    print(f"The demo copy is kept at {path}")
    if app.return_code:
        sys.exit(app.return_code)
