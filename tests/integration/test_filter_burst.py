"""The timeline's filter typed in one burst, in a real terminal: pmtui in
tmux at 80x24 on a 20,000-event post-mortem, `/ needle Enter x` in one
send-keys. The filter is applied once its characters are handled, and
before the x (which goes to the table): x deletes the first row that
matches, never the row under the cursor of the view before the filter.
Then the filter cleared and another typed, with Down and x, in one burst.
What was deleted is read back from the saved file. The Report pane is shown
before the timeline (its hidden table once took the keys after Enter)."""

from __future__ import annotations

import shutil
import sys
import time

import pytest

from pmtui import store
from pmtui.sample import large_postmortem

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")

EVENTS = 20_000
KESTREL = (9_000, 15_000, 19_000)  # "kestrel-7" in the event text
HERON = (700, 12_000, 19_500)  # "heron-3" in the source


def _post_mortem(tmp_path):
    pm = large_postmortem(EVENTS)
    for i in KESTREL:
        pm.timeline[i].event = f"kestrel-7 r{i}"
    for i in HERON:
        pm.timeline[i].source = f"heron-3/{i // 100}"  # fits the Source column at 80
    path = tmp_path / "big.toml"
    store.save(store.new_document(pm, path))
    return path


def _saved(term, path, before: float) -> list[str]:
    term.keys("C-s")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.stat().st_mtime != before, term.screen()
    return [e.event + " | " + e.source for e in store.load(path).pm.timeline]


def test_needle_enter_x_in_one_burst_deletes_the_first_match_at_80x24(pmtui_env, tmp_path, tmux_terminal):
    path = _post_mortem(tmp_path)
    env = pmtui_env
    original = [e.event + " | " + e.source for e in store.load(path).pm.timeline]
    term = tmux_terminal(80, 24)
    term.start([sys.executable, "-m", "pmtui", str(path)], env)
    term.wait_for("Overview")
    # The Report first: its preview table shares the timeline table's class
    # name, and Enter in the filter once handed the keys to that hidden table.
    term.keys("6")
    term.wait_for("Write report", timeout=60)
    term.keys("3")
    term.wait_for(f"{EVENTS} events", timeout=60)  # every row read
    assert "Event 0:" in term.screen()  # the cursor's row (row 0) does not match

    # One send-keys: the box, the needle, enter (back to the table), x.
    term.keys("/", "kestrel-7", "Enter", "x")
    screen = term.wait_for(f"{EVENTS - 1} events", timeout=30)
    screen = term.wait_for("filter 'kestrel-7': 2 shown")
    assert "kestrel-7 r15000" in screen and "kestrel-7 r19000" in screen and "r9000" not in screen
    assert "adds an event" not in screen  # the detail panel shows the row under the cursor
    stamp = path.stat().st_mtime
    saved = _saved(term, path, stamp)
    assert saved == [line for i, line in enumerate(original) if i != KESTREL[0]]

    # One send-keys: the box again, Esc (cleared, back to the table), the box, another needle, enter, Down
    # (an arrow's escape sequence after Esc and / in one read: Textual's parser typed a "^" into the box;
    # keyorder.EscapeKeepingParser keeps it Esc), x.
    term.keys("/", "Escape", "/", "heron-3", "Enter", "Down", "x")
    screen = term.wait_for(f"{EVENTS - 2} events", timeout=30)
    screen = term.wait_for("filter 'heron-3': 2 shown")
    assert "heron-3/7 " in screen and "heron-3/195" in screen and "heron-3/120" not in screen
    assert "kestrel" not in screen
    saved = _saved(term, path, path.stat().st_mtime)
    assert saved == [line for i, line in enumerate(original) if i not in (KESTREL[0], HERON[1])]
    lines = screen.split("\n")
    assert len([s for s in lines if s]) <= 24 and all(len(s) <= 80 for s in lines)
    assert "\x1b" not in screen
    term.keys("C-q")
