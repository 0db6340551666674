"""The orchestrator and `pmtui collect`, against real Prometheus and
Alertmanager, the demo recordings, and sources that fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.model import IncidentTimes, PostMortem, TimelineEvent
from pmtui.sample import at
from pmtui.sources import collect as col
from pmtui.sources.alertmanager import NO_HISTORY
from pmtui.sources.base import SourceResult
from pmtui.sources.evidence import verify

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "api-degradation.toml"


def _pm(prom_url="", am_url="") -> PostMortem:
    pm = PostMortem(id="PM-1", title="API degradation",
                    times=IncidentTimes(started=at("10:05:00"), resolved=at("10:40:00")))
    pm.sources.prometheus.url = prom_url
    pm.sources.prometheus.queries = {"pool": "max(db_pool_connections_in_use)"}
    pm.sources.alertmanager.url = am_url
    return pm


def test_collect_records_evidence_and_gaps_and_dedupes(prometheus_server, alertmanager_server, tmp_path):
    pm = _pm(prometheus_server.url, alertmanager_server.url)
    pm.timeline.append(TimelineEvent(at("10:06:45"), "Alert  HighErrorRate firing", "Prometheus"))
    doc = tmp_path / "inc.toml"
    messages = []
    result = col.collect(pm, doc, progress=lambda m, f=None: messages.append((m, f)))
    assert result.window.start == at("09:35:00") and result.window.end == at("11:10:00")
    assert result.sources == ["prometheus", "alertmanager"]
    events = [(c.time, c.event) for c in result.candidates]
    assert (at("10:05:30"), "pool rose above baseline (20 vs baseline 6)") in events
    assert (at("10:35:30"), "Alert HighErrorRate resolved") in events
    # Already in the timeline (spacing and case aside): not proposed again.
    assert not [e for e in events if e[1] == "Alert HighErrorRate firing"]
    assert events == sorted(events, key=lambda e: e[0])
    assert {ev.id for ev in pm.evidence} == {"prometheus/pool.json", "prometheus/ALERTS.json",
                                             "prometheus/ALERTS_FOR_STATE.json", "alertmanager/alerts.json",
                                             "alertmanager/silences.json"}
    assert all(verify(ev, tmp_path) is None for ev in pm.evidence)
    assert all(ev.path.startswith("inc.evidence/") for ev in pm.evidence)
    assert [g.description for g in pm.gaps] == [NO_HISTORY]
    fractions = [f for _, f in messages if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0

    # Again: same records replaced, not doubled.
    col.collect(pm, doc)
    assert len(pm.evidence) == 5 and len(pm.gaps) == 1

    added = col.accept(pm, result.candidates)
    assert len(added) == len(result.candidates)
    times = [e.time for e in pm.timeline]
    assert times == sorted(times) and len(pm.timeline) == len(result.candidates) + 1
    assert col.accept(pm, result.candidates) == []
    assert col.collect(pm, doc).candidates == []


def test_failing_source_is_a_gap_and_the_others_run(alertmanager_server, tmp_path, closed_port):
    pm = _pm(f"http://127.0.0.1:{closed_port}", alertmanager_server.url)
    result = col.collect(pm, tmp_path / "inc.toml")
    assert [g.source for g in result.gaps] == ["prometheus", "alertmanager"]
    assert result.gaps[0].description.startswith("Prometheus unreachable: cannot reach")
    assert {ev.source for ev in result.evidence} == {"alertmanager"}


def test_a_crashing_source_becomes_a_gap(tmp_path):
    window = col.window_for(_pm())
    ctx = col.context_for(tmp_path / "inc.toml", window)

    def broken(ctx):
        raise RuntimeError("boom: password=hunter2-secret")

    result = col.run_one("kubernetes", broken, ctx)
    assert isinstance(result, SourceResult) and result.evidence == []
    (gap,) = result.gaps
    assert gap.source == "kubernetes" and gap.description.startswith("source failed: RuntimeError: boom")
    assert "hunter2-secret" not in gap.description


def test_cancel_stops_the_remaining_sources(prometheus_server, alertmanager_server, tmp_path):
    pm = _pm(prometheus_server.url, alertmanager_server.url)
    state = {"stop": False}

    def progress(message, fraction=None):
        if message == "Prometheus: done":
            state["stop"] = True

    result = col.collect(pm, tmp_path / "inc.toml", progress=progress, cancelled=lambda: state["stop"])
    assert {ev.source for ev in result.evidence} == {"prometheus"}
    assert [(g.source, g.description) for g in result.gaps] == [
        ("alertmanager", "collection cancelled before it started")]


def test_unusable_settings(tmp_path):
    with pytest.raises(col.CollectError, match="no collection window"):
        col.collect(PostMortem(), tmp_path / "x.toml", col.Overrides(prometheus="http://127.0.0.1:9"))
    with pytest.raises(col.CollectError, match="no source to collect from"):
        col.collect(_pm(), tmp_path / "x.toml")
    with pytest.raises(col.CollectError, match=r"ends .* before it starts"):
        col.window_for(_pm(), col.Overrides(end=at("09:00:00")))


def test_overrides_win_for_one_run_only():
    pm = _pm("http://file:9090")
    s = col.settings_for(pm, col.Overrides(prometheus="http://cli:9090", namespace="shop"))
    assert s.prometheus.url == "http://cli:9090" and s.kubernetes.namespace == "shop"
    assert pm.sources.prometheus.url == "http://file:9090" and pm.sources.kubernetes.namespace == ""
    w = col.window_for(pm, col.Overrides(start=at("10:00:00")))
    assert (w.start, w.end) == (at("10:00:00"), at("11:10:00"))


# What the demo's collection offers beside the 33 rows the example holds:
# nothing a row already says (HighErrorRate firing is a row: it comes from
# ALERTS and from Alertmanager, and is offered neither once nor thrice).
DEMO_OFFERED = [
    ("10:05:25", "first 'request failed: timeout acquiring connection after <*>' error (new)"),
    ("10:05:30", "pool in use rose above baseline (20 vs baseline 6)"),
    ("10:05:45", "Alert DBPoolSaturated pending"),
    ("10:05:45", "Alert HighErrorRate pending"),
    ("10:06:00", "error ratio rose above baseline"),
    ("10:07:45", "Alert DBPoolSaturated firing"),
    ("10:12:30", "Alertmanager: silence {alertname=\"DBPoolSaturated\"}"),
    ("10:20:00", "Alert HighLatency pending"),
    ("10:20:45", "Alert HighLatency back to inactive without firing"),
    ("10:35:00", "Alert DBPoolSaturated resolved"),
    ("10:35:00", "error ratio returned to baseline"),
    ("10:35:00", "pool in use returned to baseline"),
    ("10:35:00", "pool wait p95 returned to baseline"),
]


def test_demo_replays_the_example_incident(tmp_path):
    pm = store.load(EXAMPLE).pm
    before = len(pm.timeline)
    result = col.collect(pm, tmp_path / "demo.toml", demo=True)
    offered = [(f"{c.time:%H:%M:%S}", c.event) for c in result.candidates
               if not c.source.startswith(("slack", "pagerduty"))]
    assert len(offered) == len(DEMO_OFFERED), offered
    for (when, text), (t_want, start) in zip(offered, DEMO_OFFERED, strict=True):
        assert when == t_want and text.startswith(start), (when, text)
    firing = [c for c in result.candidates if c.event == "Alert DBPoolSaturated firing"]
    assert firing[0].sources == ["prometheus", "alertmanager"] and len(firing[0].refs) == 2
    # The rows already there: each candidate they say is left out, with the row named.
    said = {(f"{m.candidate.time:%H:%M:%S}", f"{m.row.time:%H:%M:%S}") for m in result.known}
    assert said >= {("10:06:45", "10:06:45"), ("10:35:30", "10:36:30"), ("10:15:33", "10:15:30"),
                    ("10:16:40", "10:16:40"), ("10:27:45", "10:27:45"), ("09:58:00", "09:58:00")}
    assert all(verify(ev, tmp_path) is None for ev in result.evidence)
    assert [g.source for g in result.gaps] == ["alertmanager"]  # the no-history notice only
    assert {ev.source for ev in result.evidence} == {"prometheus", "alertmanager", "kubernetes", "slack",
                                                     "pagerduty"}
    assert result.failed == []
    # The human half: the channel and the paging log, with their actors.
    people = {(c.time, c.source, c.actor, c.kind) for c in result.candidates + [m.candidate for m in result.known]}
    assert (at("10:19:30"), "slack: #inc-2025-02-09-api", "@bob", "decision") in people
    assert (at("10:17:10"), "pagerduty: #4711", "Bob Martin", "escalation") in people
    # "HighErrorRate fired": ALERTS, Alertmanager and the PagerDuty trigger
    # are one happening, and the timeline's hand-written row already says it.
    fired = next(m for m in result.known if m.candidate.key == ("alert", "HighErrorRate", "firing"))
    assert fired.candidate.sources == ["prometheus", "alertmanager", "pagerduty: #4711"]
    assert f"{fired.candidate.time:%H:%M:%S}" == f"{fired.row.time:%H:%M:%S}" == "10:06:45"
    # The acknowledgement, the page and the resolution are rows already too.
    assert {(f"{m.candidate.time:%H:%M:%S}", m.row.event) for m in result.known
            if m.candidate.source.startswith("pagerduty")} >= {
        ("10:08:12", "On-call engineer paged"), ("10:12:00", "Alert acknowledged"),
        ("11:40:00", "Incident marked resolved")}
    # Accept all: no duplicate of an existing row, every new row tied to its evidence.
    added = col.accept(pm, result.candidates)
    assert len(pm.timeline) == before + len(result.candidates) and all(row.evidence for row in added)
    assert sum("HighErrorRate" in e.event and "fir" in e.event for e in pm.timeline) == 1
    assert col.collect(pm, tmp_path / "demo.toml", demo=True).candidates == []


# -- the command line -----------------------------------------------------------------


def _file(tmp_path, pm) -> Path:
    path = tmp_path / "inc.toml"
    store.save(store.new_document(pm, path))
    return path


def test_cli_json_and_accept(prometheus_server, tmp_path):
    path = _file(tmp_path, _pm())
    runner = CliRunner()
    res = runner.invoke(main, ["collect", str(path), "--prometheus", prometheus_server.url, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) == {"candidates", "evidence", "gaps", "failed", "notes"}
    assert {"time": "2025-02-09T10:05:30Z", "event": "pool rose above baseline (20 vs baseline 6)",
            "source": "prometheus", "kind": "symptom", "signal": "metric", "confidence": 0.6, "trigger": False,
            "sources": ["prometheus"], "also_in": [], "evidence": ["prometheus/pool.json"]} in out["candidates"]
    assert all(set(c) == {"time", "event", "source", "kind", "signal", "confidence", "trigger", "sources",
                          "also_in", "evidence"} for c in out["candidates"])
    assert {e["id"] for e in out["evidence"]} == {"prometheus/pool.json", "prometheus/ALERTS.json",
                                                  "prometheus/ALERTS_FOR_STATE.json"}
    assert out["gaps"] == []
    saved = store.load(path).pm
    assert {ev.id for ev in saved.evidence} == {e["id"] for e in out["evidence"]}
    assert saved.timeline == []  # not accepted
    assert saved.sources.prometheus.url == ""  # the override was for this run

    res = runner.invoke(main, ["collect", str(path), "--prometheus", prometheus_server.url, "--accept"])
    assert res.exit_code == 0, res.output
    assert "Added" in res.output
    saved = store.load(path).pm
    assert len(saved.timeline) == len(out["candidates"])
    assert [e.time for e in saved.timeline] == sorted(e.time for e in saved.timeline)
    assert any(e.time == at("10:06:45") and e.event == "Alert HighErrorRate firing" for e in saved.timeline)


def test_cli_window_options_and_gap(tmp_path, closed_port):
    path = _file(tmp_path, _pm())
    url = f"http://127.0.0.1:{closed_port}"
    res = CliRunner().invoke(main, ["collect", str(path), "--alertmanager", url, "--from", "10:00", "--to",
                                    "2025-02-09 11:00", "--json"])
    assert res.exit_code == 1, res.output  # its only source failed
    out = json.loads(res.output)
    assert out["candidates"] == [] and out["evidence"] == [] and out["failed"] == ["alertmanager"]
    (gap,) = out["gaps"]
    assert gap["source"] == "alertmanager" and gap["description"].startswith("Alertmanager unreachable")
    assert (gap["window_start"], gap["window_end"]) == ("2025-02-09T10:00:00Z", "2025-02-09T11:00:00Z")
    assert [g.source for g in store.load(path).pm.gaps] == ["alertmanager"]  # saved: a gap was recorded


@pytest.mark.parametrize("args, message", [
    (["--from", "yesterday-ish"], "--from: 'yesterday-ish' is not a time"),
    ([], "no source to collect from"),
    (["--prometheus", "http://127.0.0.1:9", "--from", "11:00", "--to", "10:00"], "before it starts"),
])
def test_cli_unusable_input_exits_2(tmp_path, args, message):
    path = _file(tmp_path, _pm())
    before = path.read_bytes()
    res = CliRunner().invoke(main, ["collect", str(path), *args])
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.output
    assert path.read_bytes() == before


def test_cli_missing_and_broken_files(tmp_path):
    res = CliRunner().invoke(main, ["collect", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "nope.toml" in res.stderr and "No such file" in res.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n[times]\nstarted = "not a time"\n')
    res = CliRunner().invoke(main, ["collect", str(bad)])
    assert res.exit_code == 2 and "bad.toml" in res.stderr and "started" in res.stderr


def test_cli_demo_urls_replay_with_no_network(tmp_path):
    path = tmp_path / "api-degradation.toml"
    shutil.copyfile(EXAMPLE, path)
    res = CliRunner().invoke(main, ["collect", str(path), "--prometheus", "demo:", "--alertmanager", "demo:",
                                    "--deployment", "", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    # HighErrorRate's firing is a row of the example already: not offered.
    assert not any(c["event"] == "Alert HighErrorRate firing" for c in out["candidates"])
    firing = [c for c in out["candidates"] if c["event"] == "Alert DBPoolSaturated firing"]
    assert firing and firing[0]["sources"] == ["prometheus", "alertmanager"]
    assert firing[0]["time"] == "2025-02-09T10:07:45Z"
    assert (tmp_path / "api-degradation.evidence" / "prometheus" / "pool_in_use.json").is_file()


def test_collection_modules_import_no_http_or_kubernetes_client():
    # Textual is kept out by the import contracts (pyproject); this is start-up cost.
    import subprocess
    import sys

    code = ("import sys, pmtui.cli, pmtui.cli.collect, pmtui.sources.collect, pmtui.sources.prometheus, "
            "pmtui.sources.alertmanager, pmtui.sources.demo, pmtui.sources.evidence, pmtui.sources.changes; "
            "print(sorted(m for m in ('httpx', 'kubernetes') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
