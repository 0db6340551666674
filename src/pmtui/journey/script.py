"""A whole post-mortem conducted by keyboard on a new file, as an on-call
engineer does it over SSH: a title, the incident's start, sources set to
the bundled recordings, collect and accept, timeline rows added, edited
and deleted, detection/mitigation/resolution marked, a five-whys chain
with a branch and an old why edited, a factor and an action item, the
report checked and written, saved, and quit through the unsaved-changes
dialog. Keys go in bursts (a form's fields, Tab and Enter in one write).

Each step waits for what a person would see change, and the terminal
records how long that took (the benchmark's figures). Counts that depend
on what the recordings yield are read off the screen, not assumed, so the
script holds while collection improves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pmtui.journey.terminal import DOWN, END, ENTER, ESC, HOME, SPACE, TAB, Key, Terminal, Until

TITLE = "Checkout errors after v2.3.0"
ADDED_EVENT = "Rollback of v2.3.0 started"
EDITED_EVENT = "Rollback to v2.2.9 started"
RESOLVED_EVENT = "Error rate back to normal"
PROBLEM = "Checkout API returned 5xx for a third of requests"
CHAIN = (
    "Requests waited for a database connection",
    "The connection pool was exhausted",
    "Each request held a connection for seconds",
    "A new query scanned the orders table",
    "The query had no index",
)
BRANCH = "Pool size was not raised with traffic"
EDITED_WHY = "Each request held one of the 20 connections for seconds"
FACTOR = "No alert on connection pool saturation"
ACTION = "Add an alert on DB pool saturation above 80% for 5 minutes"

# "33 events, 5 key moments · times in UTC" (the Timeline's status line),
# read from its start: a toast may cover the line's right half for seconds.
_EVENTS_RE = re.compile(r"^ (\d+) events?, \d+ key moments?", re.MULTILINE)


def events_shown(screen: str) -> int | None:
    """The timeline's count from its status line, when on screen."""
    found = _EVENTS_RE.search(screen)
    return int(found.group(1)) if found else None


def filter_closed(n: int) -> Until:
    """The filter box gone (its placeholder too: right after `/` the empty
    box already shows every row) and all `n` rows counted."""
    return lambda s: "filter: text in event" not in s and "filter '" not in s and events_shown(s) == n


def header(screen: str) -> str:
    return screen.splitlines()[0] if screen else ""


@dataclass
class Journey:
    term: Terminal
    # Screens as each step left them, for what-a-person-sees checks.
    screens: dict[str, str] = field(default_factory=dict)
    events_after_accept: int = 0

    def step(self, name: str, keys: list[str | Key], until: Until, *, timeout: float = 30.0) -> str:
        screen = self.term.step(name, keys, until, timeout=timeout)
        # What the step left is judged as it stays on screen, not as one
        # capture caught it mid-write.
        self.screens[name] = self.term.settled(screen)
        return screen

    def run(self) -> None:
        self.start()
        self.collect()
        self.timeline()
        self.five_whys()
        self.factor_and_action()
        self.report_save_quit()

    # -- the steps ---------------------------------------------------------------

    def start(self) -> None:
        self.screens["title prompt"] = self.term.wait_for("New post-mortem", timeout=60)
        self.step("title", [TITLE, ENTER], lambda s: TITLE[:12] in header(s) and "New post-mortem" not in s)
        # Two sections down is the incident's times; Enter keeps the start.
        self.step("start time", [Key("ctrl+down"), Key("ctrl+down"), "2025-02-09 10:05", ENTER],
                  lambda s: "2025-02-09 10:05" in s and "esc Leave field" in s)
        self.step("leave field", [ESC], "Edit the fields")

    def collect(self) -> None:
        self.step("sources form", ["2", "s"], "Prometheus")
        self.step("sources set", [TAB, TAB, "demo:", TAB, TAB, TAB, TAB, TAB, "demo:", ENTER],
                  "Alertmanager: demo:")
        self.step("collect", ["c"], "Collected:")
        self.step("accept all", ["A"], "added to the timeline")
        screen = self.step("timeline", ["3"], lambda s: (events_shown(s) or 0) > 0)
        self.events_after_accept = events_shown(screen) or 0

    def timeline(self) -> None:
        n = self.events_after_accept
        self.step("add event", ["a", "10:09", TAB, ADDED_EVENT, TAB, "kubectl", TAB, "@alice", ENTER],
                  lambda s: ADDED_EVENT in s and events_shown(s) == n + 1)
        self.step("edit event", ["e", TAB, EDITED_EVENT, ENTER],
                  lambda s: EDITED_EVENT in s and ADDED_EVENT not in s and "Edit event" not in s)
        self.step("delete event", [END, "x"], lambda s: events_shown(s) == n)
        self.step("mark detection", ["/", "HighErrorRate firing", ENTER, "D"],
                  lambda s: "TTD 1min 45s" in header(s))
        self.step("clear filter", ["/", ESC], filter_closed(n))
        self.step("mark mitigation", ["/", "Rollback", ENTER, "M"], lambda s: "TTM 4min" in header(s))
        self.step("clear filter again", ["/", ESC], filter_closed(n))
        self.step("add resolution", [END, "a", "10:31", TAB, RESOLVED_EVENT, TAB, "Prometheus", ENTER],
                  lambda s: RESOLVED_EVENT in s and events_shown(s) == n + 1)
        self.step("mark resolution", ["R"], lambda s: "TTR 26min" in header(s))

    def five_whys(self) -> None:
        self.step("analysis", ["4"], "Five whys")
        self.step("problem", ["p", PROBLEM, ENTER], "Problem: Checkout API")
        chain: list[str | Key] = []
        for why in CHAIN:
            chain += ["a", why, ENTER]
        self.step("chain of five", chain, lambda s: " 5 W5 " in s and "Why?" not in s)
        # A branch: another why beside W2, under W1.
        self.step("branch", [HOME, DOWN, DOWN, "b", BRANCH, ENTER], lambda s: "W6 Pool size" in s and "Why?" not in s)
        # An old why, rewritten: W3 is the fourth line (problem, W1, W2, W3).
        self.step("edit old why", [HOME, DOWN, DOWN, DOWN, "e", EDITED_WHY, ENTER],
                  lambda s: "W3 Each request held one of the 20" in s and "Edit W3" not in s)

    def factor_and_action(self) -> None:
        self.step("factor form", [TAB, "a"], "New contributing factor")
        # The category and the why link are chosen from lists (space opens,
        # typing finds, enter takes); enter on the closed choice saves.
        self.step("factor", [SPACE, "mon", ENTER, TAB, FACTOR, TAB, SPACE, "W2", ENTER, ENTER],
                  lambda s: "F1 [monitoring]" in s and "New contributing factor" not in s)
        self.step("action form", ["5", "a"], "New action item AI-001")
        self.step("action", [ACTION, TAB, "@bob", TAB, "+2w", TAB, SPACE, "h", ENTER, Key("ctrl+s")],
                  lambda s: "AI-001 Add an alert" in s and "New action item" not in s)

    def report_save_quit(self) -> None:
        self.step("report", ["6"], "Checklist")
        self.step("write report", ["w"], "Report written to")
        self.step("save", [Key("ctrl+s")], lambda s: "unsaved" not in header(s))
        self.step("unsaved edit", ["1", ENTER, END, " (draft)", ENTER], lambda s: "unsaved" in header(s))
        # Escape ends its burst: Esc and a key typed with it read as alt+key.
        self.step("leave title", [ESC], "Edit the fields")
        self.step("quit dialog", [Key("ctrl+q")], "Save them before quitting?")
        self.step("save and quit", ["s"], lambda s: not s.strip() or self.term.dead(), timeout=30)
