"""A real terminal for journeys: tmux on a private socket, the program in
one pane of a given size, keys sent the way a fast typist over a slow link
sends them (a burst of keys in one write), the screen read back with
capture-pane."""

from __future__ import annotations

import itertools
import subprocess
import time
from pathlib import Path

_SERVERS = itertools.count(1)


class Tmux:
    def __init__(self, folder: Path, width: int = 80, height: int = 24) -> None:
        # A socket of its own: a second terminal in one test (after a
        # kill-server, as the hang-up tests do) otherwise reached the server
        # still shutting down ("server exited unexpectedly", once under load).
        self.socket = str(folder / f"tmux{next(_SERVERS)}.sock")
        self.width, self.height = width, height

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                             timeout=10)
        if check and out.returncode != 0:
            raise AssertionError(f"tmux {args}: {out.stderr}")
        return out.stdout

    def start(self, command: list[str], env: dict[str, str], cwd: Path | None = None, *,
              remain: bool = False) -> int:
        """Run `command` in the pane (in `cwd`); `remain`: the pane stays
        after the program ends, so `dead()` can tell it ended."""
        line = " ".join(["exec", "env", *(f"{k}={v}" for k, v in env.items()), *command])
        if cwd is not None:
            line = f"cd {cwd} && {line}"
        self.run("new-session", "-d", "-s", "pm", "-x", str(self.width), "-y", str(self.height), line)
        if remain:
            self.run("set-option", "-t", "pm", "remain-on-exit", "on")
        return int(self.run("display", "-p", "-t", "pm", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "pm", check=False)

    def keys(self, *keys: str) -> None:
        """Named keys (Tab, C-Down, Enter...) in one burst."""
        self.run("send-keys", "-t", "pm", *keys)

    def type(self, text: str) -> None:
        """Literal text in one burst."""
        self.run("send-keys", "-t", "pm", "-l", text)

    burst = type

    def settled(self, quiet: float = 0.5, timeout: float = 10.0) -> str:
        """The screen once it has stopped changing for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last, since = self.screen(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.screen()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def dead(self) -> bool:
        """The program in the pane has ended (started with remain=True)."""
        return self.run("display", "-p", "-t", "pm", "#{pane_dead}", check=False).strip() == "1"

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def kill_server(self) -> None:
        self.run("kill-server", check=False)
