"""PagerDuty log entries as candidates: from PagerDuty's own documented
response examples (tests/data/pagerduty/openapi_examples.json), from the
demo incident, and from saved files of each accepted shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmtui.model import IncidentTimes, PagerDutySettings, PostMortem
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.collect import accept, marks_offered
from pmtui.sources.pagerduty import PagerDutyError, candidates, collect, load_saved

DATA = Path(__file__).resolve().parents[1] / "data" / "pagerduty" / "openapi_examples.json"
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-recordings" / "pagerduty"
WINDOW = Window(at("09:30:00"), at("12:10:00"))


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_the_documented_example_gives_a_trigger_candidate():
    ex = json.loads(DATA.read_text())
    incidents = {ex["incident"]["incident"]["id"]: ex["incident"]["incident"]}
    (c,) = candidates(ex["log_entries"]["log_entries"], incidents)
    assert c.event == "PagerDuty incident #1234 triggered: The server is on fire."
    assert (c.kind, c.actor, c.source, c.sets) == ("detection", "System", "pagerduty: #1234", "")
    assert c.time.isoformat() == "2015-11-07T00:14:20+00:00"


def _demo_entries() -> tuple[list, dict]:
    incident = json.loads((DEMO / "Q1API20250209.json").read_text())["incident"]
    entries = json.loads((DEMO / "Q1API20250209_log_entries.json").read_text())["log_entries"]
    return entries, {incident["id"]: incident}


def test_every_kind_of_entry_with_its_actor():
    entries, incidents = _demo_entries()
    got = [(c.time, c.event, c.kind, c.actor, c.sets) for c in candidates(entries, incidents)]
    assert got == [
        (at("10:06:51"), "PagerDuty incident #4711 triggered: [FIRING:1] HighErrorRate api-service (critical)",
         "detection", "System", ""),
        (at("10:06:52"), "#4711 assigned to Alice Chen", "escalation", "System", ""),
        (at("10:08:12"), "Alice Chen paged by push notification (#4711)", "escalation", "System", ""),
        (at("10:10:12"), "Alice Chen paged by sms (#4711)", "escalation", "System", ""),
        (at("10:12:00"), "Alice Chen acknowledged #4711", "escalation", "Alice Chen", "detected"),
        (at("10:14:10"), "Note on #4711: Incident channel #inc-2025-02-09-api; bridge to follow", "communication",
         "Alice Chen", ""),
        (at("10:17:10"), "#4711 reassigned to Bob Martin, Alice Chen", "escalation", "Bob Martin", ""),
        (at("10:22:40"), "Note on #4711: Mitigation: orders.history_cache enabled; pool 20 -> 40 next",
         "communication", "Alice Chen", ""),
        (at("11:40:00"), "PagerDuty incident #4711 resolved by Alice Chen", "resolution", "Alice Chen", "resolved"),
    ]


def test_only_the_first_ack_and_the_last_resolve_offer_incident_times():
    entries, incidents = _demo_entries()
    ack = next(e for e in entries if e["type"] == "acknowledge_log_entry")
    resolve = next(e for e in entries if e["type"] == "resolve_log_entry")
    again = [dict(ack, id="R2", created_at="2025-02-09T10:30:00Z"),
             dict(resolve, id="R3", created_at="2025-02-09T11:50:00Z")]
    got = candidates(entries + again, incidents)
    assert [(c.time, c.sets) for c in got if c.sets] == [(at("10:12:00"), "detected"), (at("11:50:00"), "resolved")]


def test_accepting_sets_the_marks_only_where_the_file_has_none():
    entries, incidents = _demo_entries()
    found = candidates(entries, incidents)
    pm = PostMortem(times=IncidentTimes(started=at("10:05:00"), resolved=at("11:41:00")))
    offered = marks_offered(pm, found)
    assert {k: v.time for k, v in offered.items()} == {"detected": at("10:12:00")}
    accept(pm, found)
    assert pm.times.detected == at("10:12:00") and pm.times.resolved == at("11:41:00")
    assert marks_offered(pm, found) == {}


@pytest.mark.parametrize("shape", ["answer", "list", "evidence"])
def test_saved_files_of_each_shape(tmp_path, shape):
    entries, incidents = _demo_entries()
    incident = next(iter(incidents.values()))
    data = {"answer": {"log_entries": entries, "limit": 100, "offset": 0, "more": False},
            "list": entries, "evidence": {"incidents": [incident], "log_entries": entries}}[shape]
    (tmp_path / "pd.json").write_text(json.dumps(data))
    result = collect(PagerDutySettings(file="pd.json"), _ctx(tmp_path))
    assert result.gaps == [] and len(result.candidates) == 9
    # The number and title come from the incident when the file holds it,
    # else from the entries' references ("[#4711] title").
    assert result.candidates[0].event == ("PagerDuty incident #4711 triggered: [FIRING:1] HighErrorRate "
                                          "api-service (critical)")
    (ev,) = result.evidence
    assert ev.kind == "paging" and ev.path == "inc.evidence/pagerduty/pd.json"


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not a JSON file of PagerDuty log entries"),
    ('{"incidents": []}', 'expected a PagerDuty log_entries answer'),
    ('[{"type": "comment"}]', "none of its 1 items is a PagerDuty log entry"),
])
def test_a_bad_saved_file_is_a_gap(tmp_path, content, message):
    (tmp_path / "pd.json").write_text(content)
    with pytest.raises(PagerDutyError, match=message):
        load_saved(tmp_path / "pd.json")
    result = collect(PagerDutySettings(file="pd.json"), _ctx(tmp_path))
    assert result.evidence == [] and message in result.gaps[0].description


def test_nothing_to_read_and_a_bad_id(tmp_path):
    none = collect(PagerDutySettings(), _ctx(tmp_path))
    assert none.gaps[0].description.startswith("PagerDuty not read: set [sources.pagerduty] incident")
    bad = collect(PagerDutySettings(incident="not an id!"), _ctx(tmp_path))
    assert "neither a file nor a PagerDuty incident id" in bad.gaps[0].description


def test_note_text_is_redacted_and_one_line(tmp_path):
    entries, incidents = _demo_entries()
    note = next(e for e in entries if e["type"] == "annotate_log_entry")
    hostile = dict(note, note="routing_key=0123456789abcdef0123456789abcdef\n\x1b[2Jcleared", id="RX")
    (c,) = [c for c in candidates([hostile], incidents)]
    assert "0123456789abcdef" not in c.event and "\u00abredacted:" in c.event
    assert "\x1b" not in c.event and "\n" not in c.event
