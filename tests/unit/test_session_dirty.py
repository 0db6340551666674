"""Unsaved means: differs from what was saved. Undoing back to the save is
clean again; a change outside the history (collected evidence) is not."""

from __future__ import annotations

from pmtui.model import PostMortem
from pmtui.session import Area, EditSession


def test_undo_back_to_the_save_is_clean_redo_is_not():
    s = EditSession(PostMortem(title="a"))
    s.set(Area.OVERVIEW, "t", s.pm, "title", "b")
    s.set(Area.OVERVIEW, "t", s.pm, "title", "c")
    assert s.dirty
    s.undo()
    s.undo()
    assert not s.dirty
    s.redo()
    assert s.dirty
    s.mark_saved()
    assert not s.dirty
    s.undo()
    assert s.dirty
    s.redo()
    assert not s.dirty


def test_a_new_edit_after_undo_is_dirty_even_with_the_same_depth():
    s = EditSession(PostMortem(title="a"))
    s.set(Area.OVERVIEW, "t", s.pm, "title", "b")
    s.mark_saved()
    s.undo()
    s.set(Area.OVERVIEW, "t", s.pm, "title", "c")
    assert s.dirty


def test_changes_outside_the_history_stay_dirty_until_saved():
    s = EditSession(PostMortem())
    s.notify(Area.EVIDENCE, "collected demo")
    assert s.dirty
    s.mark_saved()
    assert not s.dirty


def test_history_dropped_past_its_limit_cannot_undo_back_to_clean():
    s = EditSession(PostMortem(title="0"), max_undo=2)
    for n in range(1, 4):
        s.set(Area.OVERVIEW, "t", s.pm, "title", str(n))
    while s.undo():
        pass
    assert s.pm.title == "1" and s.dirty
