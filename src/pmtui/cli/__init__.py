"""The command line: `pmtui FILE` opens the app, subcommands work headless.

Subcommands live in their own modules and are imported only when invoked,
so `pmtui --help` and start-up stay fast (no httpx, kubernetes or PyGithub
before they are needed). The console script is `run()`: plain
`pmtui --help` prints help_text() without importing click at all (a third
of the help's time); tests check it is exactly what click prints. The
command table is cli.commands, which both this and cli.group read.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from pmtui.cli.commands import BY_NAME, COMMANDS, SUMMARY, synopsis_text

if TYPE_CHECKING:
    # What __getattr__ hands out on first use, named for type checkers.
    from pmtui.cli.group import LazyGroup, main

__all__ = ["LazyGroup", "help_text", "main", "run"]

# click's own two options, as it words them.
OPTIONS = (("--version", "Show the version and exit."), ("-h, --help", "Show this message and exit."))
# click's help formatter: 80 columns at most, 2 short of them for text.
_WIDTH = 78


def _definitions(rows: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[str]:
    """A definition list as click's HelpFormatter.write_dl lays it out."""
    import textwrap

    first = max(len(term) for term, _ in rows) + 2
    out = []
    for term, text in rows:
        wrapped = textwrap.wrap(text, max(_WIDTH - first - 2, 10)) or [""]
        out.append(f"  {term:<{first}}{wrapped[0]}".rstrip())
        out += [" " * (first + 2) + more for more in wrapped[1:]]
    return out


def help_text() -> str:
    """What click prints for `pmtui --help` on a terminal of 80 columns or
    more, built from the command table (tests compare it with click's)."""
    lines = ["Usage: pmtui [OPTIONS] [COMMAND] [ARGS]...", "", f"  {SUMMARY}", ""]
    lines += [f"  {row}" for row in synopsis_text().splitlines()]
    lines += ["", "Options:", *_definitions(OPTIONS), "", "Commands:"]
    lines += _definitions([(c.name, c.help) for c in COMMANDS])
    return "\n".join(lines) + "\n"


def _columns() -> int:
    """The terminal width as click's help formatter sees it."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    out = sys.__stdout__
    if out is None:  # no standard output at all (pythonw, a detached service)
        return 80
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80


def run() -> None:
    """The `pmtui` console script. The commonest calls skip click (a tenth
    of start-up): plain --help, `pmtui demo` and `pmtui FILE` (or DIR).
    Plain `pmtui` on a terminal in a folder of post-mortems opens the
    library; elsewhere it prints the help."""
    args = sys.argv[1:]
    if args in (["--help"], ["-h"]) and _columns() >= 80:
        sys.stdout.write(help_text())
        sys.stdout.flush()
        return
    if not args and sys.stdin.isatty() and sys.stdout.isatty():
        from pathlib import Path

        from pmtui.cli.app import folder_has_postmortems, open_library

        if folder_has_postmortems(Path.cwd()):
            open_library([Path(".")])
            return
    if args == ["demo"]:
        from pmtui.cli.app import run_demo

        run_demo()
        return
    if len(args) == 1 and args[0] not in BY_NAME and not args[0].startswith("-") and args[0] != "--":
        from pathlib import Path

        from pmtui.cli.app import open_path

        open_path(Path(args[0]))
        return
    from pmtui.cli.group import main as click_main

    click_main()


def __getattr__(name: str) -> object:
    # `from pmtui.cli import main` (tests, python -m pmtui) gets the click
    # group, built on first use so that run() can answer --help without it.
    if name in ("main", "LazyGroup"):
        from pmtui.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
