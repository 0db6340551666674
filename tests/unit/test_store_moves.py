"""Rows moved inside the timeline (a re-sort after a time edit) are
rewritten only where they moved, and the text is exactly what rewriting
the whole array gives: checked against the general path on random moves,
in a hand-written file and in one of pmtui's own."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import store
from pmtui.sample import many_events
from pmtui.store import splice as store_splice

moves = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.booleans()), min_size=1, max_size=4)


def apply(pm, plan) -> None:
    rows = pm.timeline
    for a, b, edit in plan:
        row = rows.pop(a % len(rows))
        if edit:
            row.event = row.event + " (edited)"
            row.time = row.time + timedelta(seconds=1)
        rows.insert(b % (len(rows) + 1), row)


def both_ways(doc, monkeypatch_window) -> tuple[str, str]:
    general = copy.deepcopy(doc)
    windowed = store.dumps(doc)
    with monkeypatch_window():
        whole = store.dumps(general)
    return windowed, whole


class _NoWindow:
    def __enter__(self):
        self.saved = store_splice._plan_windows
        store_splice._plan_windows = lambda *a, **k: None

    def __exit__(self, *exc):
        store_splice._plan_windows = self.saved


@settings(max_examples=60, deadline=None)
@given(plan=moves)
def test_moves_in_a_hand_written_file_match_the_general_path(plan, hand_written):
    doc = store.loads(hand_written, path="hand.toml")
    if len(doc.pm.timeline) < 2:
        return
    apply(doc.pm, plan)
    windowed, whole = both_ways(doc, _NoWindow)
    assert windowed == whole
    again = store.loads(windowed, path="hand.toml").pm
    assert again.timeline == doc.pm.timeline


@settings(max_examples=40, deadline=None)
@given(plan=moves)
def test_moves_in_a_large_file_match_the_general_path_and_touch_only_the_window(plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("moves") / "pm.toml"
    store.save(store.new_document(many_events(300), path))
    doc = store.load(path)
    before = path.read_text().splitlines()
    apply(doc.pm, plan)
    windowed, whole = both_ways(doc, _NoWindow)
    assert windowed == whole
    assert store.loads(windowed, path=str(path)).pm.timeline == doc.pm.timeline
    # Successive saves keep agreeing (the index is advanced after each).
    store.save(doc)
    assert path.read_text() == windowed
    apply(doc.pm, plan[::-1])
    windowed, whole = both_ways(doc, _NoWindow)
    assert windowed == whole
    after = windowed.splitlines()
    assert after[:5] == before[:5]  # the head of the file is untouched


def test_a_re_sort_rewrites_only_the_rows_between_old_and_new_place(tmp_path, monkeypatch):
    path = tmp_path / "pm.toml"
    store.save(store.new_document(many_events(2000), path))
    doc = store.load(path)
    taken = []
    real = store_splice._splice_windows
    monkeypatch.setattr(store_splice, "_splice_windows", lambda *a, **k: taken.append(real(*a, **k)) or taken[-1])
    rows = doc.pm.timeline
    row = rows.pop(1000)
    row.time += timedelta(seconds=30)
    rows.insert(1030, row)
    old = path.read_text().splitlines()
    store.save(doc)
    new = path.read_text().splitlines()
    assert taken == [True]
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]  # lengths checked next
    assert len(old) == len(new) and changed
    # Only lines of the ~31 rows between the old and the new place differ.
    block = len(old) // 2000
    assert changed[-1] - changed[0] <= 32 * block
    assert store.load(path).pm.timeline == rows


ops = st.lists(st.tuples(st.sampled_from(["insert", "delete", "move", "edit", "copy"]), st.integers(0, 10_000),
                         st.integers(0, 10_000)), min_size=1, max_size=6)


def apply_ops(pm, plan) -> None:
    from pmtui import model as m

    rows = pm.timeline
    for op, a, b in plan:
        if op == "insert":
            rows.insert(a % (len(rows) + 1), m.TimelineEvent(rows[0].time if rows else many_events(1).timeline[0].time,
                                                             f"new {a}", kind="action"))
        elif op == "delete" and rows:
            del rows[a % len(rows)]
        elif op == "move" and rows:
            row = rows.pop(a % len(rows))
            rows.insert(b % (len(rows) + 1), row)
        elif op == "edit" and rows:
            rows[a % len(rows)].actor = f"@edited{b}"
        elif op == "copy" and rows:
            rows.insert(b % (len(rows) + 1), copy.copy(rows[a % len(rows)]))


@settings(max_examples=60, deadline=None)
@given(plan=ops, start=st.sampled_from(["hand", "large"]))
def test_rows_added_deleted_moved_and_copied_match_the_general_path(plan, start, hand_written, tmp_path_factory):
    if start == "hand":
        doc = store.loads(hand_written, path="hand.toml")
    else:
        doc = store.loads(store.dumps(store.new_document(many_events(300), None)), path="pm.toml")
    apply_ops(doc.pm, plan)
    windowed, whole = both_ways(doc, _NoWindow)
    assert windowed == whole
    assert store.loads(windowed, path="x.toml").pm.timeline == doc.pm.timeline


def test_two_inserts_far_apart_rewrite_two_rows_not_the_rows_between(tmp_path):
    from pmtui import model as m

    path = tmp_path / "pm.toml"
    store.save(store.new_document(many_events(5_000), path))
    doc = store.load(path)
    rows = doc.pm.timeline
    rows.insert(100, m.TimelineEvent(rows[100].time, "near the top", kind="action"))
    rows.insert(4_900, m.TimelineEvent(rows[4_900].time, "near the end", kind="action"))
    doc.render()
    (change,) = doc.changes_since(0)
    assert sum(len(new) for _a, _b, new in change) < 40  # two rows and their neighbours, not 4,800 rows
    assert store.loads(doc.text).pm.timeline == rows


@settings(max_examples=80, deadline=None)
@given(plan=ops, values=st.lists(st.tuples(st.integers(0, 10_000), st.text(max_size=5)), max_size=3),
       step=st.sampled_from([1, 7, 50, 1000]))
def test_a_render_in_slices_writes_what_a_render_at_once_writes(plan, values, step):
    doc = store.loads(store.dumps(store.new_document(many_events(120), None)), path="pm.toml")
    apply_ops(doc.pm, plan)
    for at, text in values:
        doc.pm.timeline[at % len(doc.pm.timeline)].event = text
    at_once = copy.deepcopy(doc)
    for _ in doc.render_steps(step=step):
        pass
    at_once.render()
    assert doc.text == at_once.text
    assert doc.version == at_once.version
    assert store.loads(doc.text).pm.timeline == doc.pm.timeline
