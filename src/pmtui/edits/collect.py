"""Edits from the Collect step: candidates accepted into the timeline, the
sources' settings."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pmtui.model import PostMortem, SourceSettings
from pmtui.session import Area, Edit

if TYPE_CHECKING:
    from pmtui.sources.base import Candidate


def accept_candidates(pm: PostMortem, candidates: Sequence[Candidate], *, label: str = "accept candidates") -> Edit:
    """The candidates not yet in the timeline, added in time order (the same
    rows `pmtui collect --accept` adds). Undo puts back the very list it
    had; redo the very rows of the first time."""
    from pmtui.sources.collect import accept

    # Staged on a copy whose timeline alone is its own: what `accept`
    # leaves there is the exact state `do` puts in place.
    staged = copy.copy(pm)
    staged.timeline = list(pm.timeline)
    accept(staged, list(candidates))
    events, before, after = pm.timeline, list(pm.timeline), staged.timeline

    def do() -> None:
        events[:] = after

    def undo() -> None:
        events[:] = before

    return Edit(Area.TIMELINE, label, do, undo)


def set_sources(pm: PostMortem, new: SourceSettings) -> Edit | None:
    """Replace the sources' settings whole; None when they are the same."""
    old = pm.sources
    if new == old:
        return None

    def do() -> None:
        pm.sources = new

    def undo() -> None:
        pm.sources = old

    return Edit(Area.SOURCES, "edit sources", do, undo)
