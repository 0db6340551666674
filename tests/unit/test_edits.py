"""The edit operations (pmtui.edits), without a pilot: each one's do, undo
and redo restore the exact model state, rows by identity and in order,
links included."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import edits
from pmtui.export.sync import SyncChange
from pmtui.model import ActionItem, Factor, PostMortem, SourceSettings, TimelineEvent, Why
from pmtui.sample import sample_postmortem
from pmtui.session import Area, Edit, EditSession
from pmtui.sources.base import Candidate

ROWS = ("timeline", "whys", "factors", "actions", "systemic_issues", "went_well", "went_wrong", "lucky", "lessons")


def t(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


def rich_pm() -> PostMortem:
    """The sample incident with a branching why tree, linked factors and
    actions, and every list filled."""
    pm = sample_postmortem()
    pm.whys = [
        Why("W1", "The connection pool was exhausted"),
        Why("W2", "Each request held a connection for seconds", "W1"),
        Why("W3", "A new query did a full table scan", "W2"),
        Why("W4", "The query had no index", "W3"),
        Why("W5", "Pool size unchanged despite 3x traffic", "W1"),
        Why("W6", "The deploy skipped the canary", ""),
    ]
    pm.factors = [
        Factor("F1", "Pool utilisation not monitored", "monitoring", "W1"),
        Factor("F2", "Load tests missed the query", "testing", "W3"),
        Factor("F3", "No runbook", "runbook"),
        Factor("F4", "Index review missing", "process", "W4"),
    ]
    pm.actions = [
        ActionItem("AI-001", "Add pool metrics", "@bob", date(2025, 2, 20), "medium", factor="F1"),
        ActionItem("AI-002", "Add a query plan check", "@carol", date(2025, 2, 16), "high", factor="F2"),
        ActionItem("AI-003", "Write the runbook", "", None, "", factor="F2"),
        ActionItem("AI-004", "Review indexes", "@dan", date(2025, 2, 18), "low"),
    ]
    pm.systemic_issues = ["No query plan review"]
    pm.went_well = ["Alert fired fast", "Rollback was quick"]
    pm.went_wrong = ["Pool size unchecked"]
    pm.lucky = ["Low traffic"]
    pm.lessons = ["Monitor the pool", "Review plans", "Canary everything"]
    return pm


def snapshot(pm: PostMortem) -> tuple[PostMortem, dict[str, list[int]]]:
    """The model's value, and which objects sit in each list in which order."""
    identity = {name: [id(row) for row in getattr(pm, name)] for name in ROWS}
    identity["objects"] = [id(pm.times), id(pm.impact), id(pm.sources)]
    return copy.deepcopy(pm), identity


def roundtrip(pm: PostMortem, edit: Edit | None) -> tuple[PostMortem, dict[str, list[int]]]:
    """Do, undo, redo, undo, redo: each undo gives back exactly the state
    before, each redo exactly the state after. Leaves the edit done."""
    assert edit is not None
    before = snapshot(pm)
    edit.do()
    after = snapshot(pm)
    assert after != before, "the edit changed nothing"
    for _ in range(2):
        edit.undo()
        assert snapshot(pm) == before
        edit.do()
        assert snapshot(pm) == after
    return after


def times(pm: PostMortem) -> list[datetime]:
    return [e.time for e in pm.timeline]


# -- the session -----------------------------------------------------------------


def test_session_runs_an_edit_and_tells_listeners():
    pm = rich_pm()
    session = EditSession(pm)
    heard = []
    session.subscribe(heard.append)
    assert session.run(None) is False
    assert session.revision == 0 and not session.can_undo()
    assert session.run(edits.delete_why(pm, pm.whys[0]))
    assert [c.area for c in heard] == [Area.ANALYSIS]
    assert heard[0].label == "delete W1 and 4 below"
    assert session.dirty and session.undo_label == "delete W1 and 4 below"
    session.undo()
    assert [w.id for w in pm.whys] == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert heard[-1].undone and session.redo_label == "delete W1 and 4 below"
    session.redo()
    assert [w.id for w in pm.whys] == ["W6"]


def test_session_takes_area_names_and_refuses_unknown_ones():
    session = EditSession(rich_pm())
    heard = []
    session.subscribe(heard.append)
    session.notify("timeline", "reloaded")  # a str, as scripts may pass
    assert heard[0].area is Area.TIMELINE
    with pytest.raises(ValueError):
        session.notify("timelines", "typo")


def test_forget_history():
    pm = rich_pm()
    session = EditSession(pm)
    session.set(Area.OVERVIEW, "edit title", pm, "title", "New")
    session.forget_history()
    assert not session.can_undo() and session.undo() is None


def test_attribute_edit_copies_lists_and_skips_no_change():
    pm = rich_pm()
    assert edits.attribute_edit(Area.OVERVIEW, "same", pm, "title", pm.title) is None
    services = ["api", "db"]
    edit = edits.attribute_edit(Area.OVERVIEW, "edit services", pm, "services", services)
    roundtrip(pm, edit)
    services.append("later")
    assert pm.services == ["api", "db"]


# -- timeline ----------------------------------------------------------------------


def test_insert_event_keeps_time_order():
    pm = rich_pm()
    new = TimelineEvent(t("10:10:00"), "Dashboards checked", kind="action")
    roundtrip(pm, edits.insert_event(pm, new))
    assert times(pm) == sorted(times(pm))
    assert pm.timeline[3] is new


def test_insert_event_at_the_same_time_lands_after_the_cursor_row():
    pm = rich_pm()
    anchor = pm.timeline[2]
    first = TimelineEvent(anchor.time, "first of the same second")
    second = TimelineEvent(anchor.time, "second of the same second")
    edits.insert_event(pm, first, after=anchor).do()
    edit = edits.insert_event(pm, second, after=anchor)
    roundtrip(pm, edit)
    assert pm.timeline[2:5] == [anchor, second, first]
    assert edit.focus is second and edit.area is Area.TIMELINE


def test_update_event_time_moves_the_row_and_undo_puts_it_back():
    pm = rich_pm()
    row = pm.timeline[1]
    edit = edits.update_event(pm, row, {"time": t("10:30:00"), "event": "Alert fires (late)"})
    roundtrip(pm, edit)
    assert edit is not None and edit.label == "edit event time"
    assert times(pm) == sorted(times(pm))
    assert pm.timeline.index(row) == 6 and row.event == "Alert fires (late)"


def test_update_event_without_a_time_keeps_the_place():
    pm = rich_pm()
    row = pm.timeline[4]
    edit = edits.update_event(pm, row, {"actor": "@bob", "time": row.time})
    roundtrip(pm, edit)
    assert edit is not None and edit.label == "edit event"
    assert pm.timeline[4] is row and row.actor == "@bob"
    assert edits.update_event(pm, row, {"actor": "@bob"}) is None


def test_delete_and_duplicate_event():
    pm = rich_pm()
    row = pm.timeline[3]
    roundtrip(pm, edits.delete_event(pm, row))
    assert row not in pm.timeline
    pm = rich_pm()
    row = pm.timeline[3]
    edit = edits.duplicate_event(pm, row)
    roundtrip(pm, edit)
    assert pm.timeline[4] == row and pm.timeline[4] is not row and edit.focus is pm.timeline[4]


def test_duplicates_are_found_by_identity():
    pm = rich_pm()
    row = pm.timeline[3]
    edits.duplicate_event(pm, row).do()
    twin = pm.timeline[4]
    roundtrip(pm, edits.delete_event(pm, twin))
    assert pm.timeline[3] is row and all(e is not twin for e in pm.timeline)


def test_mark_event_sets_the_incident_time_and_kind():
    pm = rich_pm()
    row = pm.timeline[5]
    edit = edits.mark_event(pm, row, "mitigated")
    roundtrip(pm, edit)
    assert edit.area is Area.OVERVIEW and edit.label == "mark mitigation"
    assert pm.times.mitigated == row.time and row.kind == "mitigation"


def test_sort_events_and_undo_restores_the_original_disorder():
    pm = rich_pm()
    assert edits.sort_events(pm) is None
    pm.timeline.reverse()
    pm.timeline.insert(3, TimelineEvent(pm.timeline[0].time, "same time as the last"))
    roundtrip(pm, edits.sort_events(pm))
    assert times(pm) == sorted(times(pm))


def test_accept_candidates_adds_fresh_rows_in_order():
    pm = rich_pm()
    existing = pm.timeline[2]
    candidates = [
        Candidate(t("10:30:00"), "Latency back to normal", "prometheus", kind="other"),
        Candidate(existing.time, existing.event, "prometheus"),  # already in the timeline
        Candidate(t("10:01:00"), "Deploy of v2.3.0", "kubernetes: deployment/api", kind="action"),
        Candidate(t("10:01:00"), "Deploy of v2.3.0", "kubernetes: pod/api-1", kind="action"),  # same row
    ]
    before = len(pm.timeline)
    edit = edits.accept_candidates(pm, candidates, label="accept all candidates")
    after = roundtrip(pm, edit)
    assert len(pm.timeline) == before + 2 and times(pm) == sorted(times(pm))
    # One happening seen by two sources: one row naming both (sources.merge).
    assert pm.timeline[0].event == "Deploy of v2.3.0"
    assert pm.timeline[0].source == "kubernetes: deployment/api + kubernetes: pod/api-1"
    # Redo put back the rows of the first time, not new ones.
    assert snapshot(pm)[1] == after[1]


def test_accepting_a_candidate_that_offers_an_incident_time_is_undone_whole():
    pm = rich_pm()
    pm.times.detected, resolved = None, pm.times.resolved
    candidates = [
        Candidate(t("10:50:00"), "Alice acknowledged #4711", "pagerduty: #4711", kind="escalation",
                  actor="Alice", sets="detected"),
        Candidate(t("11:40:00"), "PagerDuty incident #4711 resolved", "pagerduty: #4711", kind="resolution",
                  sets="resolved"),  # the file has a resolution time: kept
    ]
    edit = edits.accept_candidates(pm, candidates)
    assert edit.area == Area.OVERVIEW  # the header's durations change too
    roundtrip(pm, edit)
    assert pm.times.detected == t("10:50:00") and pm.times.resolved == resolved
    edit.undo()
    assert pm.times.detected is None
    plain = edits.accept_candidates(pm, [Candidate(t("10:30:00"), "Latency back to normal", "prometheus")])
    assert plain.area == Area.TIMELINE


def test_set_sources():
    pm = rich_pm()
    assert edits.set_sources(pm, copy.deepcopy(pm.sources)) is None
    new = SourceSettings()
    new.prometheus.url = "http://127.0.0.1:9090"
    edit = edits.set_sources(pm, new)
    roundtrip(pm, edit)
    assert pm.sources is new and edit is not None and edit.area is Area.SOURCES


# -- analysis ----------------------------------------------------------------------


def test_add_why_under_a_parent_and_as_a_sibling():
    pm = rich_pm()
    edit = edits.add_why(pm, "Nobody reviewed the plan", "W4")
    roundtrip(pm, edit)
    assert pm.whys[-1] == Why("W7", "Nobody reviewed the plan", "W4") and edit.label == "add W7"
    sibling = edits.add_why(pm, "The pool default was 20", "W1", after=pm.whys[1])
    roundtrip(pm, sibling)
    assert [w.id for w in pm.whys][:3] == ["W1", "W2", "W8"]


def test_delete_why_takes_its_subtree_and_unlinks_factors():
    pm = rich_pm()
    w2 = pm.whys[1]
    edit = edits.delete_why(pm, w2)
    roundtrip(pm, edit)
    assert [w.id for w in pm.whys] == ["W1", "W5", "W6"]
    assert [f.why for f in pm.factors] == ["W1", "", "", ""]
    assert edit.focus is pm.whys[0] and edit.label == "delete W2 and 2 below"


def test_delete_why_survives_a_cycle():
    pm = rich_pm()
    pm.whys[0].parent = "W4"  # W1 -> W2 -> W3 -> W4 -> W1, as a hand-edited file may hold
    roundtrip(pm, edits.delete_why(pm, pm.whys[2]))
    assert [w.id for w in pm.whys] == ["W6"]


def test_move_why_among_its_siblings():
    pm = rich_pm()
    w2 = pm.whys[1]
    assert edits.move_why(pm, w2, -1) is None  # first child of W1
    roundtrip(pm, edits.move_why(pm, w2, 1))
    assert [w.id for w in pm.whys] == ["W1", "W5", "W3", "W4", "W2", "W6"]
    assert edits.move_why(pm, w2, 1) is None


def test_reparent_why():
    pm = rich_pm()
    w3 = pm.whys[2]
    assert edits.parent_choices(pm, w3) == ["", "W1", "W5", "W6"]
    assert edits.parent_choices(pm, pm.whys[0]) == ["W6"]
    roundtrip(pm, edits.reparent_why(pm, w3, "W5"))
    assert w3.parent == "W5" and pm.why_depth("W4") == 4
    assert edits.reparent_why(pm, w3, "W5") is None
    with pytest.raises(ValueError, match="below it"):
        edits.reparent_why(pm, w3, "W4")
    with pytest.raises(ValueError, match="no why"):
        edits.reparent_why(pm, w3, "W99")


def test_edit_why_and_the_problem():
    pm = rich_pm()
    roundtrip(pm, edits.edit_why(pm, pm.whys[0], "Pool exhausted"))
    assert edits.edit_why(pm, pm.whys[0], "Pool exhausted") is None
    edit = edits.edit_text(pm, "problem", "API 5xx for 40% of requests")
    roundtrip(pm, edit)
    assert edit is not None and edit.label == "edit problem"


def test_factor_edits():
    pm = rich_pm()
    edit = edits.add_factor(pm, 1, "Pool default too small", "capacity", "W5")
    roundtrip(pm, edit)
    assert pm.factors[1] == Factor("F5", "Pool default too small", "capacity", "W5")
    f1 = pm.factors[0]
    assert edits.edit_factor(pm, f1, category=f1.category, text=f1.text, why=f1.why) is None
    roundtrip(pm, edits.edit_factor(pm, f1, category="capacity", text=f1.text, why=""))
    assert (f1.category, f1.why) == ("capacity", "")


def test_delete_factor_unlinks_its_actions():
    pm = rich_pm()
    edit = edits.delete_item(pm, "factors", 1)
    roundtrip(pm, edit)
    assert [f.id for f in pm.factors] == ["F1", "F3", "F4"]
    assert [a.factor for a in pm.actions] == ["F1", "", "", ""]
    assert edit.label == "delete contributing factor"


@pytest.mark.parametrize("key", ["systemic_issues", "went_well", "went_wrong", "lucky", "lessons"])
def test_list_item_edits(key):
    pm = rich_pm()
    items = getattr(pm, key)
    roundtrip(pm, edits.add_item(pm, key, 0, "new first"))
    assert items[0] == "new first"
    roundtrip(pm, edits.edit_item(pm, key, 0, "reworded"))
    assert edits.edit_item(pm, key, 0, "reworded") is None
    roundtrip(pm, edits.move_item(pm, key, 0, 1))
    assert items[1] == "reworded"
    assert edits.move_item(pm, key, len(items) - 1, 1) is None
    roundtrip(pm, edits.delete_item(pm, key, 1))
    assert "reworded" not in items


def test_factors_are_not_plain_sentences():
    with pytest.raises(ValueError):
        edits.add_item(rich_pm(), "factors", 0, "text")


# -- actions -------------------------------------------------------------------------


def test_add_edit_delete_action():
    pm = rich_pm()
    edit = edits.add_action(pm, 1, {"action": "Add an alert", "owner": "@erin", "type": "", "status": ""})
    roundtrip(pm, edit)
    item = pm.actions[1]
    assert (item.id, item.type, item.status) == ("AI-005", "prevent", "open")
    assert edits.edit_action(pm, item, {"owner": "@erin", "status": ""}) is None
    roundtrip(pm, edits.edit_action(pm, item, {"owner": "@frank", "deadline": date(2025, 3, 3), "type": ""}))
    assert (item.owner, item.deadline, item.type) == ("@frank", date(2025, 3, 3), "prevent")
    roundtrip(pm, edits.delete_action(pm, item))
    assert item not in pm.actions


def test_sort_actions():
    pm = rich_pm()
    roundtrip(pm, edits.sort_actions(pm, "priority", focus=pm.actions[0]))
    assert [a.id for a in pm.actions] == ["AI-002", "AI-001", "AI-004", "AI-003"]
    assert edits.sort_actions(pm, "priority") is None
    roundtrip(pm, edits.sort_actions(pm, "deadline"))
    assert [a.id for a in pm.actions] == ["AI-002", "AI-004", "AI-001", "AI-003"]


def test_link_issue():
    pm = rich_pm()
    assert edits.link_issue(pm, "AI-999", 7, "https://example.invalid/7") is None
    assert edits.link_issue(pm, "AI-001", None, "") is None
    edit = edits.link_issue(pm, "AI-001", 7, "https://github.example/o/r/issues/7")
    roundtrip(pm, edit)
    assert (pm.actions[0].issue, pm.actions[0].tracker) == (7, "https://github.example/o/r/issues/7")
    assert edit is not None and edit.area is Area.EXPORT
    assert edits.link_issue(pm, "AI-001", 7, "https://github.example/o/r/issues/7") is None


def test_sync_applies_what_still_holds():
    pm = rich_pm()
    changes = [
        SyncChange("AI-001", "status", "open", "done", "#7 is closed"),
        SyncChange("AI-003", "owner", "", "@gail", "#9 is assigned to @gail"),
        SyncChange("AI-004", "status", "done", "open", "stale: the item is open already"),
        SyncChange("AI-404", "status", "open", "done", "gone from the file"),
    ]
    assert [c.item_id for c in edits.pending_sync(pm, changes)] == ["AI-001", "AI-003"]
    edit = edits.sync_from_tracker(pm, changes)
    roundtrip(pm, edit)
    assert edit is not None and edit.label == "sync 2 changes from GitHub" and edit.focus is pm.actions[0]
    assert (pm.actions[0].status, pm.actions[2].owner) == ("done", "@gail")
    assert edits.sync_from_tracker(pm, changes) is None


# -- any sequence ------------------------------------------------------------------------


def _random_edit(pm: PostMortem, choice: int, pick: int, step: int) -> Edit | None:
    """One of the structural edits, on rows chosen by `pick`."""
    whys, timeline = pm.whys, pm.timeline
    kind = choice % 8
    if kind == 0 and whys:
        return edits.delete_why(pm, whys[pick % len(whys)])
    if kind == 1 and whys:
        return edits.move_why(pm, whys[pick % len(whys)], step)
    if kind == 2 and whys:
        why = whys[pick % len(whys)]
        choices = edits.parent_choices(pm, why)
        return edits.reparent_why(pm, why, choices[step % len(choices)]) if choices else None
    if kind == 3:
        parent = whys[pick % len(whys)].id if whys and step > 0 else ""
        return edits.add_why(pm, f"why {pick}", parent)
    if kind == 4 and pm.factors:
        return edits.delete_item(pm, "factors", pick % len(pm.factors))
    if kind == 5 and timeline:
        row = timeline[pick % len(timeline)]
        return edits.update_event(pm, row, {"time": row.time + timedelta(minutes=step * 7)})
    if kind == 6 and timeline:
        return edits.duplicate_event(pm, timeline[pick % len(timeline)])
    if kind == 7 and timeline:
        return edits.delete_event(pm, timeline[pick % len(timeline)])
    return None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 50), st.sampled_from([-2, -1, 1, 2])), max_size=25))
def test_any_sequence_undoes_and_redoes_exactly(steps):
    pm = rich_pm()
    session = EditSession(pm)
    states = [snapshot(pm)]
    for choice, pick, step in steps:
        if session.run(_random_edit(pm, choice, pick, step)):
            states.append(snapshot(pm))
            assert times(pm) == sorted(times(pm))
    for state in reversed(states[:-1]):
        session.undo()
        assert snapshot(pm) == state
    for state in states[1:]:
        session.redo()
        assert snapshot(pm) == state
