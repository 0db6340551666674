"""pmtui in a real terminal: a tmux session of a given size whose one pane
runs a command (the ssh client, for the journeys). Keys go in with
`send-keys -H` as the bytes a terminal writes, a burst being one write
(what a fast typist over a laggy link delivers); the screen comes back
with `capture-pane`, and what a person must never see on it (raw markup,
escape sequences, a footer key cut mid-word) is checked here.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# -- keys as the bytes a terminal sends --------------------------------------------

_NAMED = {
    "enter": "\r", "tab": "\t", "shift+tab": "\x1b[Z", "escape": "\x1b", "space": " ", "backspace": "\x7f",
    "up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
    "home": "\x1b[H", "end": "\x1b[F", "pageup": "\x1b[5~", "pagedown": "\x1b[6~", "delete": "\x1b[3~",
    "shift+up": "\x1b[1;2A", "shift+down": "\x1b[1;2B", "ctrl+up": "\x1b[1;5A", "ctrl+down": "\x1b[1;5B",
    "f1": "\x1bOP",
}


@dataclass(frozen=True)
class Key:
    """A named key inside a burst (text is typed as it is)."""

    name: str

    def bytes(self) -> str:
        if self.name in _NAMED:
            return _NAMED[self.name]
        if self.name.startswith("ctrl+") and len(self.name) == 6:
            return chr(ord(self.name[-1].lower()) & 0x1F)
        raise ValueError(f"no byte sequence for key {self.name!r}")


ENTER, TAB, ESC, SPACE = Key("enter"), Key("tab"), Key("escape"), Key("space")
UP, DOWN, HOME, END = Key("up"), Key("down"), Key("home"), Key("end")


def encode(items: Iterable[str | Key]) -> str:
    return "".join(item.bytes() if isinstance(item, Key) else item for item in items)


# -- what a person sees ------------------------------------------------------------

# Rich/Textual markup a person should never see: [b]..[/b], [/], [bold red].
MARKUP_RE = re.compile(r"\[/?(?:b|i|u|s|bold|italic|dim|reverse|link|red|green|yellow|blue|magenta|cyan|white)"
                       r"(?: [a-z ]+)?\]|\[/\]")
# Escape sequences that reached the screen as text.
ESCAPE_RE = re.compile(r"\x1b|\^\[\[|\[\d+(?:;\d+)*m")


def screen_problems(screen: str) -> list[str]:
    """Raw markup or escape sequences visible on a captured screen."""
    out = []
    for n, line in enumerate(screen.splitlines()):
        for regex, what in ((MARKUP_RE, "markup"), (ESCAPE_RE, "escape sequence")):
            found = regex.search(line)
            if found:
                out.append(f"line {n + 1}: raw {what} {found.group(0)!r}: {line.strip()}")
    return out


def footer_line(screen: str) -> str:
    lines = screen.splitlines()
    return lines[-1] if lines else ""


# A dialog's bottom edge as Textual draws a tall border: its left and right
# corners (left and right block eighths) with the bottom line between them.
_UNDER_A_DIALOG = re.compile("\u258a[\u2581\u2594 ]*\u258e")


def footer_problems(screen: str, known: Iterable[str]) -> list[str]:
    """Footer entries cut mid-word: every "key Description" on the last line
    must be one of `known` (descriptions the bindings hold) or end the line
    whole; an ellipsis never appears."""
    line = footer_line(screen).strip()
    out: list[str] = []
    if _UNDER_A_DIALOG.search(line):
        # A dialog's frame lies over the last line (a form still open in
        # the frame captured): what shows there is the dialog, not the footer.
        return out
    if "\u2026" in line:
        out.append(f"footer cut with an ellipsis: {line!r}")
    names = sorted(set(known), key=len, reverse=True)
    rest = line
    for entry in re.split(r"\s{2,}", rest):
        if not entry:
            continue
        _key, _, description = entry.partition(" ")
        if description and description not in names:
            out.append(f"footer entry {entry!r} is not a whole key (cut?) in {line!r}")
    return out


# What a step waits for: text that must appear, or a test of the screen.
Until = str | Callable[[str], bool]


@dataclass
class Step:
    name: str
    seconds: float


@dataclass
class Terminal:
    """A tmux session of `width` x `height` running one command."""

    folder: Path
    width: int = 80
    height: int = 24
    name: str = "pm"
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.socket = str(self.folder / f"tmux-{self.name}.sock")
        self.config = self.folder / "tmux.conf"
        # No status line (the pane is the whole size), no escape delay, keys
        # as xterm sends them.
        self.config.write_text("set -g status off\nset -sg escape-time 0\nset -g default-terminal screen-256color\n"
                               "set -g remain-on-exit on\nset -g history-limit 0\n")

    def tmux(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(["tmux", "-S", self.socket, "-f", str(self.config), *args], capture_output=True,
                             text=True, timeout=15)
        if check and out.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout

    def start(self, command: list[str]) -> None:
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height),
                  shlex.join(command))

    def client_pid(self) -> int:
        """The pane's process: the ssh client."""
        return int(self.tmux("display", "-p", "-t", self.name, "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name, check=False)

    def dead(self) -> bool:
        return self.tmux("display", "-p", "-t", self.name, "#{pane_dead}", check=False).strip() == "1"

    def send(self, *items: str | Key) -> None:
        """One burst: every key in one write to the pane's terminal."""
        data = encode(items).encode("utf-8")
        self.tmux("send-keys", "-t", self.name, "-H", *(f"{b:02x}" for b in data))

    def wait_for(self, predicate: Until, timeout: float = 20.0, *, what: str = "") -> str:
        """Poll the screen until `predicate` (text that must appear, or a
        function of the screen) holds; returns that screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            ok = predicate(screen) if callable(predicate) else str(predicate) in screen
            if ok:
                return screen
            time.sleep(0.005)
        raise AssertionError(f"{what or predicate!r} never appeared on the {self.width}x{self.height} screen:\n"
                             f"{screen}")

    def step(self, name: str, keys: Iterable[str | Key], until: Until, *, timeout: float = 20.0) -> str:
        """Send a burst and wait for its effect; records how long the screen
        took to show it (key-to-screen latency, for the benchmark)."""
        items = list(keys)
        start = time.perf_counter()
        self.send(*items)
        screen = self.wait_for(until, timeout, what=f"{name}: {until!r}")
        self.steps.append(Step(name, time.perf_counter() - start))
        return screen

    def settled(self, screen: str, *, quiet: float = 0.06, timeout: float = 3.0) -> str:
        """The screen once it stops changing. A capture can land between two
        writes of one frame (tmux 3.3 does not hold a synchronized update
        back from capture-pane), showing half a new footer over the old one,
        which no person sees for longer than a frame."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(quiet)
            again = self.screen()
            if again == screen:
                return screen
            screen = again
        return screen

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


def remote_command(python: str, args: list[str], env: dict[str, str], cwd: Path) -> str:
    """The command the ssh server runs: pmtui in `cwd` with `env` (sshd
    gives a session a clean environment, so what the test needs is passed
    on the command line)."""
    assigns = [f"{k}={v}" for k, v in env.items()]
    return shlex.join(["cd", str(cwd)]) + " && exec " + shlex.join(["env", *assigns, python, "-m", "pmtui", *args])


def remote_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """What pmtui needs on the far side: the test's XDG folders (never the
    real home), the import path of this checkout, a UTF-8 locale."""
    env = {name: os.environ[name] for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME",
                                               "XDG_CACHE_HOME") if name in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["LANG"] = "C.UTF-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def pmtui_pids(path: Path) -> list[int]:
    """pmtui processes editing `path` (named by its path, or by its name
    from its folder), for the hang-up and lock tests."""
    path = Path(path).resolve()
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if b"pmtui" not in args:
            continue
        named = [Path(a.decode(errors="replace")) for a in args[args.index(b"pmtui") + 1:] if a]
        if any((p if p.is_absolute() else cwd / p).resolve() == path for p in named):
            out.append(int(proc.name))
    return out


def kill_client(terminal: Terminal) -> None:
    """Drop the connection the hard way: the ssh client dies at once."""
    os.kill(terminal.client_pid(), signal.SIGKILL)
