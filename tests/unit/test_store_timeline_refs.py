"""Timeline rows' `key` flag and evidence references: read, written only
when set, round-tripped byte for byte, and edited by splicing their line."""

from __future__ import annotations

from pmtui import store
from pmtui.model import PostMortem, TimelineEvent
from pmtui.sample import at

ROWS = '''schema = 1
id = "PM-1"

[[timeline]]
time = 2025-02-09T10:00:00Z
event = "api rolled out revision 8"   # the trigger
kind = "action"
key = true
evidence = ["kubernetes/replicasets.json", "kubernetes/events.json"]

[[timeline]]
time = 2025-02-09T10:01:00Z
event = "first 'pool exhausted' error"
kind = "symptom"
evidence = ["kubernetes/logs/api-1/api.log#L1234"]
'''


def test_rows_keep_key_and_evidence_byte_for_byte(tmp_path):
    path = tmp_path / "pm.toml"
    path.write_text(ROWS)
    doc = store.load(path)
    first, second = doc.pm.timeline
    assert first.key is True and first.evidence == ["kubernetes/replicasets.json", "kubernetes/events.json"]
    assert second.key is False and second.evidence == ["kubernetes/logs/api-1/api.log#L1234"]
    store.save(doc)
    assert path.read_text() == ROWS
    second.key = True
    first.evidence.append("prometheus/error_ratio.json#series={job=\"api\"}")
    store.save(doc)
    text = path.read_text()
    assert text == ROWS.replace(
        '"kubernetes/events.json"]', '"kubernetes/events.json", "prometheus/error_ratio.json#series={job=\\"api\\"}"]'
    ).replace('kind = "symptom"\n', 'kind = "symptom"\nkey = true\n')
    again = store.load(path).pm.timeline
    assert again[1].key is True and again[0].evidence[-1] == 'prometheus/error_ratio.json#series={job="api"}'


def test_new_rows_write_the_flag_only_when_set(tmp_path):
    pm = PostMortem(id="PM-2", timeline=[TimelineEvent(at("10:00:00"), "a"),
                                         TimelineEvent(at("10:01:00"), "b", key=True, evidence=["x.log#L3"])])
    path = tmp_path / "new.toml"
    store.save(store.new_document(pm, path))
    text = path.read_text()
    assert text.count("key = true") == 1 and "key = false" not in text and 'evidence = ["x.log#L3"]' in text
    assert store.load(path).pm.timeline == pm.timeline
