"""An editing session over one post-mortem: every change is an undoable
edit, listeners hear about each one. Shared by the app's panes (which wrap
it in Textual messages) and by headless operations; no Textual here.

Edits are pairs of closures (do, undo) rather than snapshots of the model,
so an edit to one row of a 10,000-event timeline costs one row, not a copy.
The rules that build them (delete a why and its subtree, keep the timeline
in time order...) live in `pmtui.edits`; the session only runs them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pmtui.model import PostMortem


class Area(StrEnum):
    """The part of a post-mortem an edit touched: what listeners refresh
    (the report's preview maps each to the sections it can change)."""

    OVERVIEW = "overview"
    TIMELINE = "timeline"
    ANALYSIS = "analysis"
    ACTIONS = "actions"
    SOURCES = "sources"
    EVIDENCE = "evidence"
    EXPORT = "export"


@dataclass(frozen=True)
class Change:
    """What one edit (or its undo/redo) touched, for listeners to refresh."""

    area: Area
    label: str
    revision: int
    undone: bool = False
    # Whatever the editor wants the UI to focus after the change (a row
    # object, a why id...); opaque to the session.
    focus: Any = None
    # The edit's `touched` (see Edit); None for a change made outside the
    # history or by an edit that did not say.
    touched: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Edit:
    """One undoable change: `do` makes it, `undo` takes it back exactly
    (order and links included), `do` again redoes it.

    `touched`: the only objects whose own fields `do` and `undo` change
    (rows they set a value of; rows they only add, delete or move need not
    be named, nor the fields of the post-mortem and its tables, which every
    render compares whole), or None when not known. The
    recovery journal renders a big document by comparing only these rows'
    values (store.Document.touch): a row changed in place but not named
    would reach the journal late (the next full render, a save's at the
    latest), so name every one, or leave it None."""

    area: Area
    label: str
    do: Callable[[], object]
    undo: Callable[[], object]
    focus: Any = None
    touched: tuple[Any, ...] | None = None


Listener = Callable[[Change], None]


def attribute_edit(area: Area, label: str, obj: Any, attr: str, value: Any, *, focus: Any = None) -> Edit | None:
    """The edit setting `obj.attr` to `value`; None when it holds that already.
    A list value is copied in and out, so the caller may keep mutating its own."""
    old = getattr(obj, attr)
    if old == value:
        return None
    snapshot = copy.copy(value) if isinstance(value, list) else value

    def do() -> None:
        setattr(obj, attr, copy.copy(snapshot) if isinstance(snapshot, list) else snapshot)

    def undo() -> None:
        setattr(obj, attr, old)

    return Edit(Area(area), label, do, undo, focus if focus is not None else obj, touched=(obj,))


class EditSession:
    def __init__(self, pm: PostMortem, *, max_undo: int = 1000) -> None:
        self.pm = pm
        self.revision = 0
        self.saved_revision = 0
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []
        self._listeners: list[Listener] = []
        self._max_undo = max_undo
        # Areas whose edits are held back, and why (the app while it is
        # still reading a big file's timeline); told to `on_refused`.
        self._held: dict[Area, str] = {}
        self.on_refused: Callable[[Edit, str], None] | None = None
        # Which edits make up the content now: the serials of the undo
        # stack. Undoing back to the saved content is not dirty; a change
        # made outside the history (collected evidence, a reload) is until
        # the next save.
        self._serial = 0
        self._serials: dict[int, int] = {}  # id(edit) -> serial
        self._saved_state: tuple[int, ...] = ()
        self._outside = False

    # -- state ---------------------------------------------------------------

    def _state(self) -> tuple[int, ...]:
        return tuple(self._serials.get(id(e), 0) for e in self._undo)

    @property
    def dirty(self) -> bool:
        """The content differs from what was last saved (undoing every edit
        since the save makes it clean again)."""
        if self.revision == self.saved_revision:
            return False
        return self._outside or self._state() != self._saved_state

    def mark_saved(self, revision: int | None = None) -> None:
        """The file holds the post-mortem as of `revision` (now by default;
        a save written in the background took it earlier, and a later one
        may have landed first)."""
        if revision is not None and revision < self.saved_revision:
            return  # a later save landed first
        if revision is None or revision == self.revision:
            self._saved_state = self._state()
            self._outside = False
        else:
            # An earlier version was written while edits went on: which
            # undo state it matches is not known, so only reaching that
            # revision again (never) or the next save makes it clean.
            self._saved_state = (-1,)
        self.saved_revision = self.revision if revision is None else revision

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def forget_history(self) -> None:
        """Drop undo and redo: their closures point into content that has
        just been replaced (a reload, a restored journal)."""
        self._undo.clear()
        self._redo.clear()
        self._serials.clear()
        self._saved_state = (-1,)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # -- editing -------------------------------------------------------------

    def hold(self, area: Area, reason: str) -> None:
        """Refuse edits of `area` until `release(area)` (they return False
        and `on_refused` hears of them)."""
        self._held[Area(area)] = reason

    def release(self, area: Area) -> None:
        self._held.pop(Area(area), None)

    def held(self, area: Area) -> str | None:
        return self._held.get(Area(area))

    def run(self, edit: Edit | None) -> bool:
        """Make `edit` now and remember how to undo it; False for None (the
        operation found nothing to change) or for an edit held back."""
        if edit is None:
            return False
        reason = self._held.get(edit.area)
        if reason is not None:
            if self.on_refused is not None:
                self.on_refused(edit, reason)
            return False
        edit.do()
        self._serial += 1
        self._serials[id(edit)] = self._serial
        self._undo.append(edit)
        if len(self._undo) > self._max_undo:
            dropped = self._undo.pop(0)
            self._serials.pop(id(dropped), None)
            # The saved content can no longer be reached by undoing.
            self._saved_state = (-1,)
        for gone in self._redo:
            self._serials.pop(id(gone), None)
        self._redo.clear()
        self._changed(edit.area, edit.label, focus=edit.focus, touched=edit.touched)
        return True

    def apply(
        self,
        area: Area,
        label: str,
        do: Callable[[], object],
        undo: Callable[[], object],
        *,
        focus: Any = None,
    ) -> None:
        """Run `do` now and remember how to undo it."""
        self.run(Edit(Area(area), label, do, undo, focus))

    def set(self, area: Area, label: str, obj: Any, attr: str, value: Any, *, focus: Any = None) -> bool:
        """Set one attribute undoably; no edit is recorded if nothing changes."""
        return self.run(attribute_edit(area, label, obj, attr, value, focus=focus))

    def insert(self, area: Area, label: str, items: list[Any], index: int, item: Any) -> None:
        def do() -> None:
            items.insert(index, item)

        def undo() -> None:
            items.remove(item)

        self.apply(area, label, do, undo, focus=item)

    def remove(self, area: Area, label: str, items: list[Any], item: Any) -> None:
        index = items.index(item)

        def do() -> None:
            items.remove(item)

        def undo() -> None:
            items.insert(index, item)

        self.apply(area, label, do, undo, focus=item)

    def undo(self) -> Change | None:
        if not self._undo:
            return None
        edit = self._undo.pop()
        edit.undo()
        self._redo.append(edit)
        return self._changed(edit.area, edit.label, undone=True, focus=edit.focus, touched=edit.touched)

    def redo(self) -> Change | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        edit.do()
        self._undo.append(edit)
        return self._changed(edit.area, edit.label, focus=edit.focus, touched=edit.touched)

    def notify(self, area: Area, label: str, *, edited: bool = True) -> None:
        """Tell listeners of a change made outside the undo history (a reload,
        collected evidence written by a source). `edited=False`: the model
        now holds more of the file, not anything new (a big file's rows
        read on), so nothing becomes unsaved."""
        clean = not self.dirty
        if edited:
            self._outside = True
        self._changed(Area(area), label)
        if not edited and clean:
            self.saved_revision = self.revision

    def _changed(self, area: Area, label: str, *, undone: bool = False, focus: Any = None,
                 touched: tuple[Any, ...] | None = None) -> Change:
        self.revision += 1
        change = Change(area, label, self.revision, undone, focus, touched)
        for listener in list(self._listeners):
            listener(change)
        return change
