"""An editing session over one post-mortem: every change is an undoable
edit, listeners hear about each one. Shared by the app's panes (which wrap
it in Textual messages) and by headless operations; no Textual here.

Edits are pairs of closures (do, undo) rather than snapshots of the model,
so an edit to one row of a 10,000-event timeline costs one row, not a copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmtui.model import PostMortem

AREAS = ("overview", "timeline", "analysis", "actions", "sources", "evidence", "export")


@dataclass(frozen=True)
class Change:
    """What one edit (or its undo/redo) touched, for listeners to refresh."""

    area: str
    label: str
    revision: int
    undone: bool = False
    # Whatever the editor wants the UI to focus after the change (a row
    # object, a why id...); opaque to the session.
    focus: Any = None


@dataclass
class _Edit:
    area: str
    label: str
    do: Callable[[], Any]
    undo: Callable[[], Any]
    focus: Any = None


Listener = Callable[[Change], None]


class EditSession:
    def __init__(self, pm: PostMortem, *, max_undo: int = 1000) -> None:
        self.pm = pm
        self.revision = 0
        self.saved_revision = 0
        self._undo: list[_Edit] = []
        self._redo: list[_Edit] = []
        self._listeners: list[Listener] = []
        self._max_undo = max_undo

    # -- state ---------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self.revision != self.saved_revision

    def mark_saved(self) -> None:
        self.saved_revision = self.revision

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

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- editing -------------------------------------------------------------

    def apply(
        self,
        area: str,
        label: str,
        do: Callable[[], Any],
        undo: Callable[[], Any],
        *,
        focus: Any = None,
    ) -> Any:
        """Run `do` now and remember how to undo it."""
        result = do()
        self._undo.append(_Edit(area, label, do, undo, focus))
        if len(self._undo) > self._max_undo:
            del self._undo[0]
        self._redo.clear()
        self._changed(area, label, focus=focus)
        return result

    def set(self, area: str, label: str, obj: Any, attr: str, value: Any, *, focus: Any = None) -> bool:
        """Set one attribute undoably; no edit is recorded if nothing changes."""
        old = getattr(obj, attr)
        if old == value:
            return False
        snapshot = copy.copy(value) if isinstance(value, list) else value
        self.apply(
            area,
            label,
            lambda: setattr(obj, attr, copy.copy(snapshot) if isinstance(snapshot, list) else snapshot),
            lambda: setattr(obj, attr, old),
            focus=focus if focus is not None else obj,
        )
        return True

    def insert(self, area: str, label: str, items: list, index: int, item: Any) -> None:
        def do() -> None:
            items.insert(index, item)

        def undo() -> None:
            items.remove(item)

        self.apply(area, label, do, undo, focus=item)

    def remove(self, area: str, label: str, items: list, item: Any) -> None:
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
        return self._changed(edit.area, edit.label, undone=True, focus=edit.focus)

    def redo(self) -> Change | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        edit.do()
        self._undo.append(edit)
        return self._changed(edit.area, edit.label, focus=edit.focus)

    def notify(self, area: str, label: str) -> None:
        """Tell listeners of a change made outside the undo history (a reload,
        collected evidence written by a source)."""
        self._changed(area, label)

    def _changed(self, area: str, label: str, *, undone: bool = False, focus: Any = None) -> Change:
        self.revision += 1
        change = Change(area, label, self.revision, undone, focus)
        for listener in list(self._listeners):
            listener(change)
        return change
