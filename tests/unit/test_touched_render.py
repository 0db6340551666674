"""The journal's render of a big document compares only the rows the edits
named (Document.touch, session.Edit.touched) and a save's is done in steps
(store.begin_save_steps): both must give the text a whole render gives."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from pmtui import edits, store
from pmtui.model import TimelineEvent
from pmtui.sample import large_postmortem
from pmtui.session import Change, EditSession
from pmtui.store.document import Document
from pmtui.store.validate import MAX_LINE, over_limits, over_limits_steps

STEP = 40  # rows per step here, so a 300-row timeline is "big"


def _open(tmp_path: Path, n: int = 300) -> tuple[Document, Document, EditSession]:
    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(n), path))
    doc = store.load(path)
    # A second document over the same model, rendered whole every time: the reference.
    ref = Document(path, doc.pm, doc.text)
    session = EditSession(doc.pm)

    def heard(change: Change) -> None:
        doc.touch(change.touched)

    session.subscribe(heard)
    doc.render()  # the journal's first render compares every row
    return doc, ref, session


def _run(steps):  # type: ignore[no-untyped-def]
    count = 0
    try:
        while True:
            next(steps)
            count += 1
    except StopIteration as done:
        return done.value, count


def _random_edit(rng: random.Random, session: EditSession) -> None:
    pm = session.pm
    events = pm.timeline
    event = events[rng.randrange(len(events))]
    choice = rng.randrange(8)
    if choice == 0:
        session.run(edits.update_event(pm, event, {"time": event.time + timedelta(seconds=rng.randint(-900, 900))}))
    elif choice == 1:
        session.run(edits.update_event(pm, event, {"event": f"edited {rng.random()}"}))
    elif choice == 2:
        session.run(edits.insert_event(pm, TimelineEvent(event.time, "added", kind="action"), after=event))
    elif choice == 3:
        session.run(edits.delete_event(pm, event))
    elif choice == 4:
        session.run(edits.toggle_key(pm, event))
    elif choice == 5:
        session.run(edits.duplicate_event(pm, event))
    elif choice == 6:
        session.run(edits.mark_event(pm, event, "mitigated"))
    else:
        session.set("timeline", "edit source", event, "source", f"src-{rng.randrange(5)}")
    for _ in range(rng.randrange(3)):
        if rng.random() < 0.5:
            session.undo()
        else:
            session.redo()


@pytest.mark.parametrize("seed", range(6))
def test_touched_render_gives_the_whole_render_text(tmp_path: Path, seed: int) -> None:
    doc, ref, session = _open(tmp_path)
    rng = random.Random(seed)
    for _ in range(40):
        for _ in range(rng.randrange(1, 4)):  # a few edits between two journal writes
            _random_edit(rng, session)
        _run(doc.render_steps(STEP, touched=True))
        ref.render()
        assert doc.text == ref.text
        assert doc.render() is False  # nothing left behind for a whole render to find


def test_touched_render_matches_rows_by_identity_in_steps(tmp_path: Path) -> None:
    doc, _ref, session = _open(tmp_path, 300)
    event = doc.pm.timeline[150]
    session.run(edits.update_event(doc.pm, event, {"event": "changed in place"}))
    _value, steps = _run(doc.render_steps(STEP, touched=True))
    assert steps >= 1
    assert 'event = "changed in place"' in doc.text


def test_a_row_not_named_is_left_for_the_next_whole_render(tmp_path: Path) -> None:
    doc, ref, session = _open(tmp_path)
    named, unnamed = doc.pm.timeline[10], doc.pm.timeline[250]
    session.run(edits.update_event(doc.pm, named, {"event": "named"}))
    unnamed.event = "changed behind the session's back"
    session.apply("timeline", "says nothing", lambda: None, lambda: None)  # touched None: compare all
    _run(doc.render_steps(STEP, touched=True))
    assert "changed behind the session's back" in doc.text  # a change that did not name its rows: all compared

    unnamed.actor = "not told"
    session.run(edits.toggle_key(doc.pm, named))  # names only `named`
    _run(doc.render_steps(STEP, touched=True))
    assert 'actor = "not told"' not in doc.text  # the journal's render trusts the names...
    job = _run(store.begin_save_steps(doc))[0]  # ...a save compares every row
    text = b"".join(job.chunks()).decode("utf-8")
    ref.render()
    assert text == ref.text
    assert 'actor = "not told"' in text


def test_too_many_rows_named_compares_all(tmp_path: Path) -> None:
    doc, ref, _session = _open(tmp_path)
    rows = doc.pm.timeline
    doc.touch(rows[:100])  # over TOUCHED_MAX: no longer trusted
    rows[200].event = "far away"
    _run(doc.render_steps(STEP, touched=True))
    ref.render()
    assert doc.text == ref.text


def test_save_in_steps_is_the_save_at_once(tmp_path: Path) -> None:
    doc, _ref, session = _open(tmp_path, 2000)
    rng = random.Random(7)
    for _ in range(10):
        _random_edit(rng, session)
    gen = store.begin_save_steps(doc)
    job, steps = _run(gen)
    assert steps >= 1
    at_once = store.begin_save(doc, rendered=True)
    assert job.version == at_once.version
    assert list(job.chunks()) != [] and b"".join(job.chunks()) == b"".join(at_once.chunks())
    stamp = store.write_save(job)
    store.end_save(doc, job, stamp)
    assert store.load(doc.path).text == doc.text


def test_save_in_steps_refuses_a_text_over_its_limit_naming_the_row(tmp_path: Path) -> None:
    doc, _ref, session = _open(tmp_path, 60_000)
    row = doc.pm.timeline[55_123]
    session.run(edits.update_event(doc.pm, row, {"event": "x" * (MAX_LINE + 1)}))
    found = _run(over_limits_steps(doc.pm, step=10_000))[0]
    assert found == over_limits(doc.pm)
    assert [where for where, _ in found] == ["timeline[55123].event"]
    with pytest.raises(store.StoreError, match=r"timeline\[55123\]\.event"):
        _run(store.begin_save_steps(doc))


@pytest.mark.parametrize("touched", [True, False])
def test_the_same_row_object_twice_is_planned_whole(tmp_path: Path, touched: bool) -> None:
    doc, ref, _session = _open(tmp_path)
    rows = doc.pm.timeline
    twice = rows[5]
    rows.insert(150, twice)  # not something an edit makes; a plugin or a bug might
    twice.event = "one object, two rows"
    doc.touch((twice,))
    _run(doc.render_steps(STEP, touched=touched))
    ref.render()
    assert doc.text == ref.text
    assert doc.text.count("one object, two rows") == 2
    # Now the loaded rows hold it twice too; a row moved past the second place.
    session = EditSession(doc.pm)
    session.subscribe(lambda change: doc.touch(change.touched))
    near = rows[148]
    session.run(edits.update_event(doc.pm, near, {"time": rows[152].time, "event": "moved past it"}))
    session.set("timeline", "edit", twice, "event", "still one object")
    _run(doc.render_steps(STEP, touched=touched))
    ref.render()
    assert doc.text == ref.text
    assert doc.text.count("still one object") == 2


@pytest.mark.parametrize("touched", [True, False])
def test_a_render_at_once_between_the_steps_starts_the_comparison_again(tmp_path: Path, touched: bool) -> None:
    doc, ref, session = _open(tmp_path)
    rows = doc.pm.timeline
    moved = rows[150]
    session.run(edits.update_event(doc.pm, moved, {"time": moved.time + timedelta(minutes=5)}))
    steps = doc.render_steps(STEP, touched=touched)
    next(steps)
    next(steps)
    doc.render()  # a quit's save or a signal's journal write, at once, between two steps
    version = doc.version
    changed = _run(steps)[0]
    ref.render()
    assert doc.text == ref.text
    # Compared again: nothing left to write (a comparison made before that
    # render would plan every row anew, and rewrite them all).
    assert changed is False and doc.version == version
