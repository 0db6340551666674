"""A whole post-mortem by keyboard, over a real SSH connection, in a real
terminal: tmux at 80x24 (and 160x48) whose pane runs `ssh -tt` to a
loopback sshd that runs pmtui on a new file. Keys go in bursts, a form's
fields with their Tabs and Enter in one write, as a fast typist's keys
arrive over a slow link (pmtui.journey.script). Then the saved TOML and
the written report are read back, and every screen the journey showed is
checked for what a person must never see."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from pmtui import store
from pmtui.journey import script
from pmtui.journey.script import Journey
from pmtui.journey.terminal import footer_problems, screen_problems


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_whole_postmortem_over_ssh(ssh_pmtui, tmp_path, size, footer_descriptions):
    width, height = size
    term = ssh_pmtui(["new.toml"], width=width, height=height)
    journey = Journey(term)
    journey.run()

    pm = store.load(tmp_path / "new.toml").pm
    assert pm.title == f"{script.TITLE} (draft)"
    # Collected from the recordings, accepted; one row added and edited,
    # one deleted, one added for the resolution.
    events = {e.event: e for e in pm.timeline}
    assert len(pm.timeline) == journey.events_after_accept + 1
    assert script.EDITED_EVENT in events and script.ADDED_EVENT not in events
    assert events[script.EDITED_EVENT].kind == "mitigation"
    assert events[script.EDITED_EVENT].actor == "@alice"
    assert events[script.RESOLVED_EVENT].kind == "resolution"
    assert any(e.source == "prometheus" for e in pm.timeline) and any(e.source == "alertmanager"
                                                                       for e in pm.timeline)
    assert pm.evidence and all((tmp_path / e.path).is_file() for e in pm.evidence)
    t = pm.times
    assert (t.started, t.detected, t.mitigated, t.resolved) == (
        datetime(2025, 2, 9, 10, 5, tzinfo=UTC), datetime(2025, 2, 9, 10, 6, 45, tzinfo=UTC),
        datetime(2025, 2, 9, 10, 9, tzinfo=UTC), datetime(2025, 2, 9, 10, 31, tzinfo=UTC))
    # The chain of five, the branch beside W2, the old why rewritten.
    assert pm.problem == script.PROBLEM
    whys = {w.id: w for w in pm.whys}
    assert [whys[f"W{i}"].parent for i in range(1, 6)] == ["", "W1", "W2", "W3", "W4"]
    assert (whys["W6"].parent, whys["W6"].text) == ("W1", script.BRANCH)
    assert whys["W3"].text == script.EDITED_WHY
    assert [whys[f"W{i}"].text for i in (1, 2, 4, 5)] == [script.CHAIN[i] for i in (0, 1, 3, 4)]
    assert [(f.id, f.category, f.text, f.why) for f in pm.factors] == [("F1", "monitoring", script.FACTOR, "W2")]
    action = pm.actions[0]
    assert (action.id, action.action, action.owner, action.priority) == ("AI-001", script.ACTION, "@bob", "high")
    assert isinstance(action.deadline, date)

    report = (tmp_path / "new.md").read_text()
    assert report.startswith(f"# Post-Mortem: {script.TITLE}")
    for text in (script.EDITED_EVENT, script.EDITED_WHY, script.FACTOR, script.ACTION,
                 "| Time to resolve (TTR) | 26min"):
        assert text in report

    # What the person saw on the way.
    dialog = journey.screens["quit dialog"]
    assert "Save them before quitting?" in dialog
    assert "s save and quit" in dialog and "d discard" in dialog and "keep" in dialog
    for name, screen in journey.screens.items():
        assert not screen_problems(screen), (name, screen_problems(screen), screen)
        if name not in ("save and quit", "title prompt"):
            assert not footer_problems(screen, footer_descriptions), (name, screen)
    worst = max(journey.term.steps, key=lambda s: s.seconds)
    print(f"{width}x{height}: {len(journey.term.steps)} steps, slowest {worst.name} {worst.seconds * 1000:.0f} ms")
