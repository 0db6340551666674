"""The checklist's shared runner (livechecks.SharedChecks): the app runs it
once while idle after opening a file, and the Report pane's first showing
uses those results; a background run waits at `pause` between checks."""

from __future__ import annotations

import threading
import time

from pmtui import livechecks
from pmtui.livechecks import LiveChecks, Ran, SharedChecks, snapshot
from pmtui.sample import large_postmortem
from pmtui.team import policy


def test_a_run_with_pauses_gives_the_checklist_and_pauses_between_batches(fixed_now, monkeypatch):
    now = fixed_now()
    pm = large_postmortem(23)
    pm.timeline[5].event = "@alice caused the outage by restarting the pool"
    monkeypatch.setattr(livechecks, "PAUSE_TEXTS", 5)  # 23 texts: five batches of the blame scan
    calls: list[str] = []
    results = LiveChecks().run(pm, now, lambda: calls.append("pause"))
    assert results == policy.run(pm, now=now)
    plain = LiveChecks().run(pm, now)
    assert plain == results
    # one before each check and the team's own, plus one per batch of texts
    checks_run = len(list(policy.base_checks(LiveChecks()._team, pm)))
    assert len(calls) >= checks_run + 1 + 5


def test_results_are_fresh_for_their_revision_only(fixed_now):
    now = fixed_now()
    pm = large_postmortem(30)
    shared = SharedChecks()
    assert shared.fresh(0) is None
    results = shared.run(snapshot(pm), 3, now)
    ran = shared.fresh(3)
    assert ran is not None and ran.revision == 3 and ran.results == results
    assert shared.fresh(4) is None and shared.fresh(2) is None
    # an older revision finishing later never replaces a newer one's results
    shared.run(snapshot(pm), 2, now)
    assert shared.last is ran
    # the clock moves what is overdue: old results are run again
    shared.last = Ran(3, time.monotonic() - livechecks.FRESH_SECONDS - 1, results)
    assert shared.fresh(3) is None


def test_two_threads_at_once_each_get_the_whole_checklist(fixed_now):
    now = fixed_now()
    pm = large_postmortem(2_000)
    pm.timeline[700].event = "Operator forgot to drain the node"
    expected = policy.run(pm, now=now)
    shared = SharedChecks()
    got: list[list] = []

    def run(revision: int) -> None:
        got.append(shared.run(snapshot(pm), revision, now))

    threads = [threading.Thread(target=run, args=(r,)) for r in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert got == [expected, expected]
    assert shared.last is not None and shared.last.revision == 2
