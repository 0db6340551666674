"""The command table: every `pmtui` subcommand, where it lives, its usage
line and its one-line help. The click group (cli.group), the fast `--help`
(cli.run) and the docs are all generated from this one table; a leaf module,
so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    target: str  # "module:attribute", imported only when the command runs
    help: str  # one line, in the Commands list
    usage: str = ""  # the synopsis line in the overview ("" = not listed there)


COMMANDS: tuple[Command, ...] = (
    Command("new", "pmtui.cli.doc:new", "Create a post-mortem file.", "pmtui new FILE --title T"),
    Command("report", "pmtui.cli.doc:report", "Write the Markdown report (stdout by default).",
            "pmtui report FILE [-o OUT]"),
    Command("check", "pmtui.cli.doc:check", "Run the checklist: exit 0 all pass, 1 some fail, 2 unreadable input.",
            "pmtui check FILE|DIR… [--json]"),
    Command("demo", "pmtui.cli.group:demo", "Open the app on a copy of the bundled demo incident (no network).",
            "pmtui demo"),
    Command("open", "pmtui.cli.group:open_file", "Open the app on FILE (created if missing). Same as `pmtui FILE`."),
    Command("collect", "pmtui.cli.collect:collect", "Collect data for the incident window headless.",
            "pmtui collect FILE [...]"),
    Command("add", "pmtui.cli.add:add", "Add timeline rows read from standard input (lines, tables, CSV).",
            "pmtui add FILE < rows"),
    Command("export", "pmtui.cli.export:export", "Export action items to GitHub issues.", "pmtui export FILE [...]"),
    Command("ls", "pmtui.cli.library:ls", "List the post-mortems below folders (the library).", "pmtui ls DIR…"),
    Command("actions", "pmtui.cli.library:actions", "Action items across post-mortems (--open, --overdue, --owner).",
            "pmtui actions DIR… [--overdue]"),
    Command("search", "pmtui.cli.library:search", "Search every post-mortem; shows where each hit is.",
            "pmtui search DIR… QUERY"),
    Command("stats", "pmtui.cli.library:stats", "What keeps hurting us: trends and recurring causes (--md).",
            "pmtui stats DIR… [--md]"),
    Command("review", "pmtui.cli.review:review", "The weekly review digest; --post puts it in a GitHub issue.",
            "pmtui review DIR… [--post R]"),
    Command("publish", "pmtui.cli.distribute:publish",
            "Open (or update) a pull request with the report; --issue posts it as an issue.",
            "pmtui publish FILE --repo OWNER/NAME"),
    Command("invite", "pmtui.cli.distribute:invite", "Write .ics invitations for the review and the follow-up.",
            "pmtui invite FILE [--at TIME]"),
    Command("approve", "pmtui.cli.distribute:approve", "Record a reviewer's approval (who, when) in the file.",
            "pmtui approve FILE --as @me"),
    Command("team", "pmtui.cli.teamconf:team", "Show the team conventions (.pmtui.toml) that apply at PATH.",
            "pmtui team [PATH]"),
    Command("trust", "pmtui.cli.trust:trust", "Allow an endpoint a credential, or a file to name an env variable.",
            "pmtui trust [URL --credential C] [--env NAME]"),
    Command("completion", "pmtui.cli.completion:completion", "Print the shell completion script (bash, zsh, fish).",
            "pmtui completion SHELL"),
)
BY_NAME = {c.name: c for c in COMMANDS}

# What each synopsis line says, beside its usage.
_SYNOPSIS = {
    "open": "open the app on FILE (created if missing)",
    "demo": "open the app on the bundled demo incident",
    "new": "create a post-mortem file",
    "report": "write the Markdown report",
    "check": "run the checklist",
    "collect": "collect incident-window data headless",
    "add": "timeline rows from standard input",
    "export": "action items -> GitHub issues",
    "publish": "the report as a pull request (or issue)",
    "invite": "review and follow-up invitations (.ics)",
    "approve": "a reviewer's sign-off",
    "team": "the team conventions in force",
    "trust": "where your credentials may go",
    "completion": "shell completion script",
    "library": "open the library on the post-mortems below DIR",
    "ls": "list the library",
    "actions": "action items across the library",
    "search": "search every post-mortem",
    "stats": "trends and recurring causes",
    "review": "the weekly review digest",
}
_SYNOPSIS_ORDER = ("open", "demo", "new", "report", "check", "collect", "add", "export", "publish", "invite",
                   "approve", "team", "trust", "ls", "actions", "search", "stats", "review", "completion")
SUMMARY = "Blameless incident post-mortems in the terminal."


def synopsis() -> list[tuple[str, str]]:
    """(usage, what it does) for the overview at the top of --help."""
    rows = [("pmtui FILE", _SYNOPSIS["open"]), ("pmtui DIR", _SYNOPSIS["library"])]
    rows += [(BY_NAME[n].usage, _SYNOPSIS[n]) for n in _SYNOPSIS_ORDER if BY_NAME[n].usage]
    return rows


def synopsis_text() -> str:
    """The overview as click's docstring would hold it (\\b keeps the lines)."""
    width = max(len(u) for u, _ in synopsis()) + 1
    lines = [f"{u:<{width}}{what}" for u, what in synopsis()]
    return "\n".join(lines)
