"""Timeline edits. `pm.timeline` is kept in time order at all times: an
edit that moves a row in time moves it in the list inside the same step,
so a table showing the list never re-sorts it."""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter, le
from typing import Any, Literal

from pmtui.model import PostMortem, TimelineEvent
from pmtui.session import Area, Edit

MarkField = Literal["detected", "mitigated", "resolved"]

# Marking an event sets the incident time and the event's kind together.
MARKS: dict[MarkField, tuple[str, str]] = {
    "detected": ("detection", "mark detection"),
    "mitigated": ("mitigation", "mark mitigation"),
    "resolved": ("resolution", "mark resolution"),
}


def _time_key(event: TimelineEvent) -> datetime:
    return event.time


def index_of(events: list[TimelineEvent], event: TimelineEvent) -> int:
    """Position of this very object in the sorted list (several rows may be
    equal as data, e.g. after duplicating one)."""
    start = bisect_left(events, event.time, key=_time_key)
    for i in range(start, len(events)):
        if events[i] is event:
            return i
    for i, other in enumerate(events):  # the list was not sorted after all
        if other is event:
            return i
    raise ValueError("event not in timeline")


def is_sorted(events: Sequence[TimelineEvent]) -> bool:
    # At C speed: a 100,000-event timeline is checked once it is read.
    times = list(map(attrgetter("time"), events))
    return all(map(le, times[:-1], times[1:]))


def sort_events(pm: PostMortem) -> Edit | None:
    """Put a timeline read out of order (a hand-edited file) in time order;
    None when it is in order already."""
    events = pm.timeline
    if is_sorted(events):
        return None
    before = list(events)

    def do() -> None:
        events.sort(key=_time_key)

    def undo() -> None:
        events[:] = before

    return Edit(Area.TIMELINE, "sort timeline", do, undo, touched=())


def insert_event(
    pm: PostMortem, new: TimelineEvent, *, after: TimelineEvent | None = None, label: str = "add event"
) -> Edit:
    """Add `new` in its place in time: right after `after` when both have the
    same time (a row added below the cursor lands there), else after every
    row of its time."""
    events = pm.timeline
    if after is not None and after.time == new.time:
        index = index_of(events, after) + 1
    else:
        index = bisect_right(events, new.time, key=_time_key)

    def do() -> None:
        events.insert(index, new)

    def undo() -> None:
        del events[index_of(events, new)]

    return Edit(Area.TIMELINE, label, do, undo, new, touched=())


def duplicate_event(pm: PostMortem, event: TimelineEvent) -> Edit:
    return insert_event(pm, copy.copy(event), after=event, label="duplicate event")


def update_event(pm: PostMortem, event: TimelineEvent, values: Mapping[str, Any]) -> Edit | None:
    """Set fields of one event, moving it to its place in time when its time
    changes; None when nothing changes."""
    changed = {k: v for k, v in values.items() if getattr(event, k) != v}
    if not changed:
        return None
    old = {k: getattr(event, k) for k in changed}
    events = pm.timeline
    old_index = index_of(events, event)

    def do() -> None:
        del events[index_of(events, event)]
        for key, value in changed.items():
            setattr(event, key, value)
        if "time" in changed:
            events.insert(bisect_right(events, event.time, key=_time_key), event)
        else:
            events.insert(old_index, event)

    def undo() -> None:
        del events[index_of(events, event)]
        for key, value in old.items():
            setattr(event, key, value)
        events.insert(old_index, event)

    label = "edit event time" if "time" in changed else "edit event"
    return Edit(Area.TIMELINE, label, do, undo, event, touched=(event,))


def delete_event(pm: PostMortem, event: TimelineEvent) -> Edit:
    events = pm.timeline
    index = index_of(events, event)

    def do() -> None:
        del events[index_of(events, event)]

    def undo() -> None:
        events.insert(index, event)

    return Edit(Area.TIMELINE, "delete event", do, undo, event, touched=())


def mark_event(pm: PostMortem, event: TimelineEvent, field: MarkField) -> Edit:
    """The incident was detected / mitigated / resolved at this event: the
    incident time and the event's kind, in one step."""
    kind, label = MARKS[field]
    times = pm.times
    old_time, old_kind = getattr(times, field), event.kind

    def do() -> None:
        setattr(times, field, event.time)
        event.kind = kind

    def undo() -> None:
        setattr(times, field, old_time)
        event.kind = old_kind

    # Area overview: the incident times (and so TTD/TTM/TTR) change.
    return Edit(Area.OVERVIEW, label, do, undo, event, touched=(event,))


def toggle_key(pm: PostMortem, event: TimelineEvent) -> Edit:
    """Mark the event as a key moment of the story, or unmark it (the
    report's short timeline shows the key rows)."""
    old = event.key

    def do() -> None:
        event.key = not old

    def undo() -> None:
        event.key = old

    return Edit(Area.TIMELINE, "unmark key moment" if old else "mark key moment", do, undo, event,
                touched=(event,))


def set_report_timeline(pm: PostMortem, mode: str) -> Edit | None:
    """`[report] timeline`: "key", "all" or "auto"; None when it is so already."""
    settings = pm.report
    old = settings.timeline
    if mode == old:
        return None

    def do() -> None:
        settings.timeline = mode

    def undo() -> None:
        settings.timeline = old

    # Area timeline: the report's timeline section is what it changes.
    return Edit(Area.TIMELINE, f"report timeline: {mode}", do, undo, touched=())
