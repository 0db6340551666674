"""Limits on the length of a field's text (store.validate MAX_LINE and
MAX_PROSE, docs/file-format.md): an absurd value is refused on load with
its field, line and the limit, by every way the store reads a file, and
the longest allowed value reads back whole."""

from __future__ import annotations

import pytest

from pmtui import store
from pmtui.model import TimelineEvent
from pmtui.sample import large_postmortem
from pmtui.store.validate import MAX_LINE, MAX_PROSE


def _saved(tmp_path, pm):
    """The file as the store renders it; written here, since store.save
    refuses a text over its limit (the last test)."""
    path = tmp_path / "pm.toml"
    path.write_text(store.dumps(store.new_document(pm, path)), encoding="utf-8")
    return path


def _refusal(path) -> str:
    with pytest.raises(store.StoreError) as info:
        store.load(path)
    with pytest.raises(store.StoreError) as again:
        store.read_model(path)
    assert str(again.value) == str(info.value)  # check and report say what the editor says
    with pytest.raises(store.StoreError) as opened:
        store.Loading(path).finish()
    assert str(opened.value) == str(info.value)  # and so does the app's sliced open
    return str(info.value)


def test_a_20_mb_title_is_refused_naming_the_field_line_and_limit(tmp_path):
    pm = large_postmortem(20)
    pm.title = "GET /api/v1/orders 200 " * (20_000_000 // 23)
    path = _saved(tmp_path, pm)
    message = _refusal(path)
    line = next(n for n, text in enumerate(path.read_text().split("\n"), 1) if text.startswith("title = "))
    assert message.startswith(f"{path}:{line}:1: title: a line of 20,000,005 characters")
    assert f"{MAX_PROSE:,}" in message and "GET /api" not in message  # the value itself is not echoed
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("field", ["event", "source", "actor"])
def test_a_timeline_text_over_the_one_line_limit_is_refused_in_pmtuis_layout(tmp_path, field):
    pm = large_postmortem(3_000)  # more than one slice of rows
    setattr(pm.timeline[2_500], field, "x" * (MAX_LINE + 1))
    message = _refusal(_saved(tmp_path, pm))
    assert f"timeline[2500].{field}: {MAX_LINE + 1:,} characters, more than the {MAX_LINE:,}" in message


def test_a_long_event_in_a_hand_edited_row_is_refused_too(tmp_path):
    text = ('schema = 1\ntitle = "t"\n\n[[timeline]]\n# a comment: not pmtui\'s layout\n'
            f'time = 2025-02-09T10:00:00Z\nevent = "{"y" * (MAX_LINE + 5)}"\n')
    path = tmp_path / "pm.toml"
    path.write_text(text)
    assert f"timeline[0].event: {MAX_LINE + 5:,} characters" in _refusal(path)


def test_prose_over_its_limit_and_a_list_item_over_the_line_limit_are_refused(tmp_path):
    pm = large_postmortem(5)
    pm.summary = "z" * (MAX_PROSE + 1)
    pm.services = ["api", "s" * (MAX_LINE + 1)]
    message = _refusal(_saved(tmp_path, pm))
    assert f"summary: {MAX_PROSE + 1:,} characters, more than the {MAX_PROSE:,} a text may hold" in message
    assert f"services[1]: {MAX_LINE + 1:,} characters" in message


def test_a_multi_line_prose_field_over_its_limit_is_refused(tmp_path):
    pm = large_postmortem(5)
    pm.impact.description = "a log line\n" * (MAX_PROSE // 11 + 10)
    message = _refusal(_saved(tmp_path, pm))
    assert "impact.description: " in message and f"more than the {MAX_PROSE:,}" in message


def test_values_at_the_limits_read_back_whole(tmp_path):
    pm = large_postmortem(2_000)
    pm.title = "t" * MAX_LINE
    pm.summary = "s" * MAX_PROSE
    pm.timeline[1_000] = TimelineEvent(pm.timeline[1_000].time, "e" * MAX_LINE, "s" * MAX_LINE, "a" * MAX_LINE)
    path = _saved(tmp_path, pm)
    back = store.load(path).pm
    assert back.title == pm.title and back.summary == pm.summary
    assert back.timeline[1_000].event == "e" * MAX_LINE and back.timeline[1_000].actor == "a" * MAX_LINE
    assert store.read_model(path).timeline[1_000].source == "s" * MAX_LINE


def test_a_save_of_a_text_over_its_limit_is_refused_and_the_file_kept(tmp_path):
    """An edit that pasted a log into a field is not written: the file
    would not open again. The file on disk stays as it was; the edit stays
    in the model, to be shortened and saved."""
    pm = large_postmortem(3_000)
    path = _saved(tmp_path, pm)
    before = path.read_bytes()
    doc = store.load(path)
    for change, field in [
        (lambda p: setattr(p, "title", "t" * (MAX_LINE + 1)), "title"),
        (lambda p: setattr(p.timeline[2_500], "event", "e" * (MAX_LINE + 1)), "timeline[2500].event"),
        (lambda p: p.timeline[10].evidence.append("r" * (MAX_LINE + 1)), "timeline[10].evidence[0]"),
        (lambda p: setattr(p, "summary", "s" * (MAX_PROSE + 1)), "summary"),
    ]:
        fresh = store.load(path)
        change(fresh.pm)
        with pytest.raises(store.StoreError) as info:
            store.save(fresh)
        assert f"{field}: not saved: " in str(info.value) and "more than the" in str(info.value)
        assert path.read_bytes() == before
    doc.pm.timeline[2_500].event = "e" * MAX_LINE  # at the limit: saved and read back
    store.save(doc)
    assert store.load(path).pm.timeline[2_500].event == "e" * MAX_LINE


def test_a_save_looks_at_the_rows_it_changes_and_at_every_row_when_unsure(tmp_path):
    """store.save looks only at the rows its render changes (an insert at
    100,000 events costs that row); after a render that did not look (the
    journal's store.dumps) or for a model never read from a file, it looks
    at every row."""
    path = _saved(tmp_path, large_postmortem(3_000))
    before = path.read_bytes()
    when = store.load(path).pm.timeline[0].time

    doc = store.load(path)
    doc.pm.timeline.insert(10, TimelineEvent(when, "x" * (MAX_LINE + 1)))
    with pytest.raises(store.StoreError, match=r"timeline\[10\]\.event: not saved: "):
        store.save(doc)

    doc = store.load(path)
    doc.pm.timeline[100].event = "e" * (MAX_LINE + 1)
    store.dumps(doc)  # rendered with the long text, not looked at
    doc.pm.timeline[5].event = "a short edit"
    with pytest.raises(store.StoreError, match=r"timeline\[100\]\.event: not saved: "):
        store.save(doc)
    doc.pm.timeline[100].event = "shortened"
    store.save(doc)
    assert store.load(path).pm.timeline[100].event == "shortened"
    path.write_bytes(before)

    loading = store.Loading(path)  # the app's way to open a file, a slice at a time
    opened = loading.finish()
    opened.pm.timeline[7].source = "s" * (MAX_LINE + 1)
    with pytest.raises(store.StoreError, match=r"timeline\[7\]\.source: not saved: "):
        store.save(opened)
    opened.pm.timeline[7].source = "short"
    store.save(opened)
    assert store.load(path).pm.timeline[7].source == "short"

    pm = large_postmortem(3_000)
    pm.timeline[2_999].actor = "a" * (MAX_LINE + 1)
    with pytest.raises(store.StoreError, match=r"timeline\[2999\]\.actor: not saved: "):
        store.save(store.new_document(pm, tmp_path / "new.toml"))
    assert not (tmp_path / "new.toml").exists()
