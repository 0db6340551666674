"""A real terminal for tests: tmux on a private socket, a pane of a given
size, keys sent as a typist sends them (in bursts), the screen read back
with capture-pane."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


class Tmux:
    def __init__(self, folder: Path) -> None:
        self.socket = str(folder / "tmux.sock")

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                             timeout=10)
        if check and out.returncode != 0:
            raise AssertionError(f"tmux {args}: {out.stderr}")
        return out.stdout

    def start(self, command: list[str], env: dict[str, str], *, size: tuple[int, int] = (80, 24)) -> int:
        line = " ".join(["exec", "env", *(f"{k}={v}" for k, v in env.items()), *command])
        self.run("new-session", "-d", "-s", "pm", "-x", str(size[0]), "-y", str(size[1]), line)
        return int(self.run("display", "-p", "-t", "pm", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "pm", check=False)

    def keys(self, *keys: str) -> None:
        """One burst: every key in a single send-keys, as fast as a paste."""
        self.run("send-keys", "-t", "pm", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "pm", "-l", text)

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
