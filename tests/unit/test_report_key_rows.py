"""The report's short timeline: `[report] timeline` read, checked, written
only when set and round-tripped; the rows it selects; the edits that mark
a key moment and switch the setting, undone exactly."""

from __future__ import annotations

import pytest

from pmtui import edits, report, store
from pmtui.model import PostMortem, TimelineEvent
from pmtui.sample import at
from pmtui.store import StoreError


def _pm(keys: tuple[int, ...] = ()) -> PostMortem:
    pm = PostMortem(title="t", timeline=[TimelineEvent(at(f"10:0{i}:00"), f"event {i}") for i in range(6)])
    for i in keys:
        pm.timeline[i].key = True
    return pm


def test_auto_shows_every_row_until_one_is_key_then_the_key_rows():
    pm = _pm()
    assert len(report.report_timeline(pm)) == 6 and report.timeline_note(pm, 6) == ""
    pm.timeline[4].key = pm.timeline[1].key = True
    assert [e.event for e in report.report_timeline(pm)] == ["event 1", "event 4"]
    text = report.render_timeline(pm)
    assert text.startswith("_The 2 key moments of 6 events;") and "event 4" in text and "event 2" not in text


def test_all_and_key_settings():
    pm = _pm((2,))
    pm.report.timeline = "all"
    assert len(report.report_timeline(pm)) == 6 and "key moments" not in report.render_timeline(pm)
    pm.timeline[2].key = False
    pm.report.timeline = "key"
    assert len(report.report_timeline(pm)) == 6
    assert report.render_timeline(pm).startswith("_No event is marked as a key moment yet: every event is shown._")


def test_setting_round_trips_and_is_checked(tmp_path):
    path = tmp_path / "pm.toml"
    doc = store.new_document(_pm((1,)), path)
    store.save(doc)
    assert "\n[report]\n" not in path.read_text()  # the default is not written
    doc.pm.report.timeline = "all"
    store.save(doc)
    assert store.load(path).pm.report.timeline == "all"
    text = path.read_text()
    store.save(store.load(path))
    assert path.read_text() == text
    with pytest.raises(StoreError, match=r"report.timeline: unknown value 'some'; expected one of \"auto\""):
        store.loads(text.replace('timeline = "all"', 'timeline = "some"'), "pm.toml")


def test_key_and_setting_edits_undo_exactly():
    pm = _pm()
    row = pm.timeline[3]
    edit = edits.toggle_key(pm, row)
    edit.do()
    assert row.key and edit.label == "mark key moment" and edit.focus is row
    edit.undo()
    assert not row.key
    assert edits.set_report_timeline(pm, "auto") is None
    change = edits.set_report_timeline(pm, "key")
    change.do()
    assert pm.report.timeline == "key"
    change.undo()
    assert pm.report.timeline == "auto"
