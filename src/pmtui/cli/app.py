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
    """Open the app on FILE (created if missing, after asking for a title);
    a folder opens the library. A big file's first screen of rows is shown
    before the rest is read."""
    if file.is_dir():
        open_library([file])
        return
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


def open_library(roots: list[Path]) -> None:
    """The Library screen; a post-mortem chosen there opens in the editor,
    and closing the editor comes back to the library as it was."""
    from pmtui.ui.library_app import LibraryApp

    state = None
    message = ""
    while True:
        app = LibraryApp(roots, state=state, message=message)
        app.run()
        if app.return_code:
            sys.exit(app.return_code)
        if app.chosen is None:
            return
        state, message = app.state, ""
        try:
            document = load_document(app.chosen)
        except UserError as exc:
            message = str(exc).splitlines()[0]
            continue
        from pmtui.ui.app import PmApp

        editor = PmApp(document)
        editor.run()
        if editor.return_code:
            sys.exit(editor.return_code)


def folder_has_postmortems(folder: Path, *, limit: int = 200) -> bool:
    """Whether `pmtui` with no argument should open the library here: a
    post-mortem among the first `limit` TOML files at most two levels down
    (a cheap look, so a plain `pmtui` in a big home folder stays quick)."""
    import os
    import re

    marker = re.compile(rb"^[ \t]*(?:schema|title)[ \t]*=|^\[times\]|^\[\[timeline\]\]", re.MULTILINE)
    seen = 0
    base = len(folder.parts)
    for path, dirs, files in os.walk(folder):
        depth = len(Path(path).parts) - base
        dirs[:] = [d for d in dirs if not d.startswith(".") and not d.endswith(".evidence") and depth < 2]
        for name in files:
            if not name.endswith(".toml") or name in ("pyproject.toml", ".pmtui.toml", "Cargo.toml"):
                continue
            seen += 1
            try:
                with open(os.path.join(path, name), "rb") as fh:
                    if marker.search(fh.read(8192)):
                        return True
            except OSError:
                pass
            if seen >= limit:
                return False
    return False
