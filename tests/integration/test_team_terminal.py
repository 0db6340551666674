"""The team journey in a real terminal (tmux, 80x24): a custom field the
team's .pmtui.toml declares is typed into the Overview, the reviewer
approves with the approve key, the file is saved; keys arrive in bursts,
as from a fast typist over SSH."""

from __future__ import annotations

import shutil
import sys
import time

import pytest

from pmtui import store

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/setup.sh")

TEAM = """\
[[fields]]
name = "pages"
label = "Pages sent"
type = "number"
required = true
"""


def test_edit_a_custom_field_and_approve_at_80x24(pmtui_env, tmp_path, tmux_terminal, repo_root):
    (tmp_path / ".pmtui.toml").write_text(TEAM)
    path = tmp_path / "api.toml"
    text = (repo_root / "examples" / "api-degradation.toml").read_text().replace('who = "@frank"', 'who = "@someone"')
    path.write_text(text)
    env = {**pmtui_env, "PMTUI_USER": "@frank"}
    term = tmux_terminal(80, 24)
    term.start([sys.executable, "-m", "pmtui", str(path)], env)
    term.wait_for("API Service Degradation")
    term.wait_for("▼")  # the form (its selects) has replaced the first frame's text
    # From the overview's bar down to the Team section, to the custom field: one burst.
    term.keys("C-Down", "C-Down", "C-Down", "C-Down", "C-Down", "Tab", "Tab", "Tab")
    screen = term.wait_for("Pages sent")
    assert "Team" in screen
    term.type("12")
    term.keys("Enter")
    # The approve key, a note typed fast, enter.
    term.keys("C-o")
    term.wait_for("Approve the post-mortem")
    term.type("numbers checked against the dashboard")
    term.keys("Enter")
    screen = term.wait_for("Approved as @frank")
    term.keys("C-s")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pm = store.load(path).pm
        if pm.custom and any(a.who == "@frank" for a in pm.approvals):
            break
        time.sleep(0.1)
    pm = store.load(path).pm
    assert pm.custom == {"pages": 12}
    frank = next(a for a in pm.approvals if a.who == "@frank")
    assert frank.note == "numbers checked against the dashboard"
    # What the person sees: no raw escapes, the screen is 24 lines of 80.
    lines = term.screen().split("\n")
    assert len([line for line in lines if line]) <= 24 and all(len(line) <= 80 for line in lines)
    term.keys("C-q")
