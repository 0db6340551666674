"""The command line: `pmtui FILE` opens the app, subcommands work headless.

Subcommands live in their own modules and are imported only when invoked,
so `pmtui --help` and start-up stay fast (no httpx, kubernetes or PyGithub
before they are needed). The console script is `run()`: plain
`pmtui --help` prints HELP_TEXT without importing click at all (a third of
the help's time); tests check it is exactly what click prints.
"""

from __future__ import annotations

import os
import sys

# name -> "module:attribute"; each module imports only what its command needs.
COMMANDS = {
    "new": "pmtui.cli.doc:new",
    "report": "pmtui.cli.doc:report",
    "check": "pmtui.cli.doc:check",
    "demo": "pmtui.cli.group:demo",
    "open": "pmtui.cli.group:open_file",
    "collect": "pmtui.cli.collect:collect",
    "export": "pmtui.cli.export:export",
}

HELP = {
    "new": "Create a post-mortem file.",
    "report": "Write the Markdown report (stdout by default).",
    "check": "Run the checklist: exit 0 all pass, 1 some fail, 2 unreadable input.",
    "demo": "Open the app on a copy of the bundled demo incident (no network).",
    "open": "Open the app on FILE (created if missing). Same as `pmtui FILE`.",
    "collect": "Collect data for the incident window headless.",
    "export": "Export action items to GitHub issues.",
}

# What click prints for `pmtui --help` on a terminal of 80 columns or more
# (click caps help at 80): tests/test_app.py compares the two.
HELP_TEXT = """\
Usage: pmtui [OPTIONS] [COMMAND] [ARGS]...

  Blameless incident post-mortems in the terminal.

  pmtui FILE                 open the app on FILE (created if missing)
  pmtui demo                 open the app on the bundled demo incident
  pmtui new FILE --title T   create a post-mortem file
  pmtui report FILE [-o OUT] write the Markdown report
  pmtui check FILE [--json]  run the checklist
  pmtui collect FILE [...]   collect incident-window data headless
  pmtui export FILE [...]    action items -> GitHub issues

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  new      Create a post-mortem file.
  report   Write the Markdown report (stdout by default).
  check    Run the checklist: exit 0 all pass, 1 some fail, 2 unreadable
           input.
  demo     Open the app on a copy of the bundled demo incident (no network).
  open     Open the app on FILE (created if missing). Same as `pmtui FILE`.
  collect  Collect data for the incident window headless.
  export   Export action items to GitHub issues.
"""


def _columns() -> int:
    """The terminal width as click's help formatter sees it."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80


def run() -> None:
    """The `pmtui` console script. The commonest calls skip click (a tenth
    of start-up): plain --help, `pmtui demo` and `pmtui FILE`."""
    args = sys.argv[1:]
    if args in (["--help"], ["-h"]) and _columns() >= 80:
        sys.stdout.write(HELP_TEXT)
        sys.stdout.flush()
        return
    if args == ["demo"]:
        from pmtui.cli.app import run_demo

        run_demo()
        return
    if len(args) == 1 and args[0] not in COMMANDS and not args[0].startswith("-") and args[0] != "--":
        from pathlib import Path

        from pmtui.cli.app import open_path

        open_path(Path(args[0]))
        return
    from pmtui.cli.group import main as click_main

    click_main()


def __getattr__(name: str):
    # `from pmtui.cli import main` (tests, python -m pmtui) gets the click
    # group, built on first use so that run() can answer --help without it.
    if name in ("main", "LazyGroup"):
        from pmtui.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
