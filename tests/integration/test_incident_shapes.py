"""Collection over whole incidents: a real Prometheus (backfilled with
promtool), a real Alertmanager and the loopback Kubernetes API, through the
orchestrator the app and `pmtui collect` use. Each shape has a ground-truth
list of happenings; the test asserts

  recall     every happening is found by a candidate within +-15 s whose
             text says it
  one each   no happening is said by two candidates (the merge step)
  precision  candidates that say no happening are at most 20 % of all

and prints the figures (pytest -s shows them)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from pmtui.model import IncidentTimes, PostMortem
from pmtui.sources import collect as col

TOLERANCE = 15.0


def _run(shape, prometheus, alertmanager, cluster, tmp_path, http_json):
    for alert in shape.alerts:
        http_json("POST", f"{alertmanager.url}/api/v2/alerts", [alert])
    pm = PostMortem(id=f"PM-{shape.name}", title=shape.name,
                    times=IncidentTimes(started=shape.started, resolved=shape.resolved))
    pm.sources.window_start, pm.sources.window_end = shape.window
    pm.sources.prometheus.url = prometheus.url
    pm.sources.prometheus.queries = dict(shape.queries)
    pm.sources.alertmanager.url = alertmanager.url
    k = pm.sources.kubernetes
    k.kubeconfig = str(cluster.write_kubeconfig(tmp_path / "kubeconfig"))
    k.namespace, k.deployment = "shop", "api"
    return pm, col.collect(pm, tmp_path / "inc.toml")


def _score(shape, candidates):
    said: dict[int, list[str]] = {}
    unmatched = []
    for c in candidates:
        hits = [i for i, truth in enumerate(shape.truth)
                if abs((c.time - truth.time).total_seconds()) <= TOLERANCE and re.search(truth.pattern, c.event)]
        for i in hits:
            said.setdefault(i, []).append(c.event)
        if not hits:
            unmatched.append(c)
    missed = [shape.truth[i] for i in range(len(shape.truth)) if i not in said]
    twice = {shape.truth[i].what: events for i, events in said.items() if len(events) > 1}
    return missed, twice, unmatched


@pytest.mark.parametrize("name", ["rollout_rollback", "warn_trigger"])
def test_incident_shape(name, incident_shapes, start_prometheus, start_alertmanager, fake_cluster, tmp_path,
                        http_json):
    shape = incident_shapes.SHAPES[name]()
    prometheus = start_prometheus(shape.openmetrics)
    alertmanager = start_alertmanager()
    try:
        pm, result = _run(shape, prometheus, alertmanager, fake_cluster(shape.cluster), tmp_path, http_json)
    finally:
        alertmanager.stop()
    shown = "\n".join(f"  {c.time:%H:%M:%S} {c.signal:>9} {'T' if c.trigger else ' '} {c.event}"
                      for c in result.candidates)
    missed, twice, unmatched = _score(shape, result.candidates)
    recall = 1 - len(missed) / len(shape.truth)
    precision = 1 - len(unmatched) / max(1, len(result.candidates))
    print(f"\n{name}: {len(result.candidates)} candidates for {len(shape.truth)} happenings; "
          f"recall {recall:.2f}, precision {precision:.2f}\n{shown}")
    assert not missed, f"happenings not found: {[m.what for m in missed]}\n{shown}"
    assert not twice, f"happenings said twice: {twice}"
    assert len(unmatched) <= 0.2 * len(result.candidates), (
        "candidates saying no happening:\n" + "\n".join(f"  {c.time:%H:%M:%S} {c.event}" for c in unmatched))
    assert all(c.refs for c in result.candidates), "every candidate keeps its evidence"
    triggers = [c for c in result.candidates if c.trigger]
    if name == "warn_trigger":
        (trigger,) = triggers
        assert trigger.time == datetime(2025, 3, 11, 9, 27, 40, tzinfo=UTC) and "reconcile started" in trigger.event
    else:
        (trigger,) = triggers
        assert "rolled out revision 8" in trigger.event
    # Accepting every candidate keeps every evidence reference in the rows.
    added = col.accept(pm, result.candidates)
    assert len(added) == len(result.candidates) and all(row.evidence for row in added)
    assert [row.key for row in added].count(True) == 1
