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
    rows `pmtui collect --accept` adds), and the incident times they offer
    where the file has none (a PagerDuty acknowledgement as the detection).
    Undo puts back the very list and times it had; redo the very rows of
    the first time."""
    from pmtui.sources.collect import accept

    # Staged on a copy whose timeline and times alone are its own: what
    # `accept` leaves there is the exact state `do` puts in place.
    staged = copy.copy(pm)
    staged.timeline = list(pm.timeline)
    staged.times = copy.copy(pm.times)
    accept(staged, list(candidates))
    events, before, after = pm.timeline, list(pm.timeline), staged.timeline
    times_before, times_after = copy.copy(pm.times), copy.copy(staged.times)

    def do() -> None:
        events[:] = after
        pm.times.__dict__.update(times_after.__dict__)

    def undo() -> None:
        events[:] = before
        pm.times.__dict__.update(times_before.__dict__)

    # Incident times set: every view of them (header, durations) refreshes.
    area = Area.OVERVIEW if times_after != times_before else Area.TIMELINE
    return Edit(area, label, do, undo)


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
