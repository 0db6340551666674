from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from pmtui import checks
from pmtui.model import ActionItem, Factor, TimelineEvent, Why
from pmtui.sample import CHECKED_AT, at, complete_postmortem


def results_for(pm, cid, now=CHECKED_AT):
    return [r for r in checks.run(pm, now=now) if r.id == cid]


def test_good_post_mortem_passes_every_check():
    results = checks.run(complete_postmortem(), now=CHECKED_AT)
    assert {r.id for r in results} == {cid for cid, _, _ in checks.CHECKS}
    assert [r for r in results if r.result != "pass"] == []
    assert checks.exit_code(results) == 0
    assert checks.summary(results) == {"pass": len(checks.CHECKS), "warn": 0, "fail": 0}


def _no_events(pm):
    pm.timeline = []


def _no_resolution_kind(pm):
    pm.timeline[-1].kind = "other"


def _timeline_starts_late(pm):
    del pm.timeline[0]


def _timeline_ends_early(pm):
    pm.times.resolved = at("12:00:00")


def _out_of_order(pm):
    pm.timeline[2], pm.timeline[3] = pm.timeline[3], pm.timeline[2]


def _not_utc(pm):
    pm.timeline[1].time = pm.timeline[1].time.astimezone(timezone(timedelta(hours=1)))


def _naive(pm):
    pm.timeline[1].time = pm.timeline[1].time.replace(tzinfo=None)


def _one_factor(pm):
    pm.factors = pm.factors[:1]


def _shallow(pm):
    pm.whys = [w for w in pm.whys if w.id != "W5"]


def _no_owner(pm):
    pm.actions[1].owner = " "


def _no_deadline(pm):
    pm.actions[1].deadline = None


def _bad_priority(pm):
    pm.actions[1].priority = ""


def _no_actions(pm):
    pm.actions = []


def _vague(pm):
    pm.actions[1].action = "Improve monitoring"


def _untracked(pm):
    pm.actions[1].tracker = ""


def _tracker_not_url(pm):
    pm.actions[1].tracker = "see jira"


def _blame(pm):
    pm.summary = "@carol caused the outage by deploying on Sunday."


def _follow_up_too_soon(pm):
    pm.follow_up = date(2025, 2, 12)


def _follow_up_too_late(pm):
    pm.follow_up = date(2025, 5, 1)


def _no_follow_up(pm):
    pm.follow_up = None
    pm.times.started = None


def _not_shared(pm):
    pm.shared = None


def _no_times(pm):
    pm.times.mitigated = None


def _times_out_of_order(pm):
    pm.times.detected = at("09:00:00")


def _times_not_utc(pm):
    pm.times.started = pm.times.started.astimezone(timezone(timedelta(hours=2)))


FAILS = [
    ("timeline.complete", _no_events, None),
    ("timeline.complete", _no_resolution_kind, None),
    ("timeline.complete", _timeline_starts_late, None),
    ("timeline.complete", _timeline_ends_early, None),
    ("timeline.order", _out_of_order, 3),
    ("timeline.utc", _not_utc, 1),
    ("timeline.utc", _naive, 1),
    ("factors.multiple", _one_factor, None),
    ("whys.depth", _shallow, None),
    ("actions.complete", _no_owner, "AI-002"),
    ("actions.complete", _no_deadline, "AI-002"),
    ("actions.complete", _bad_priority, "AI-002"),
    ("actions.complete", _no_actions, None),
    ("actions.specific", _vague, "AI-002"),
    ("actions.tracked", _untracked, "AI-002"),
    ("actions.tracked", _tracker_not_url, "AI-002"),
    ("language.blameless", _blame, None),
    ("review.follow_up", _follow_up_too_soon, None),
    ("review.follow_up", _follow_up_too_late, None),
    ("review.follow_up", _no_follow_up, None),
    ("report.shared", _not_shared, None),
    ("times.recorded", _no_times, None),
    ("times.recorded", _times_out_of_order, None),
    ("times.recorded", _times_not_utc, None),
]


@pytest.mark.parametrize("cid, breaker, row", FAILS, ids=[f"{c}-{b.__name__}" for c, b, _ in FAILS])
def test_each_check_fails_on_bad_input(cid, breaker, row):
    pm = complete_postmortem()
    breaker(pm)
    results = checks.run(pm, now=CHECKED_AT)  # must not raise on any bad input
    mine = [r for r in results if r.id == cid]
    assert mine and all(r.result == "fail" for r in mine), mine
    assert mine[0].message
    assert mine[0].row == row
    assert checks.exit_code(results) == 1


def test_failures_carry_a_suggestion():
    pm = complete_postmortem()
    for breaker in (_vague, _blame, _untracked, _no_owner, _one_factor, _shallow, _not_shared):
        breaker(pm)
    failed = [r for r in checks.run(pm, now=CHECKED_AT) if r.result == "fail"]
    assert len(failed) >= 7
    assert all(r.suggestion for r in failed)


def test_missing_owner_deadline_priority_named_together():
    pm = complete_postmortem()
    pm.actions[0].owner, pm.actions[0].deadline, pm.actions[0].priority = "", None, "urgent"
    (r,) = results_for(pm, "actions.complete")
    assert r.message == "AI-001 has no owner, deadline, priority"


def test_shallow_analysis_with_a_reason_warns():
    pm = complete_postmortem()
    _shallow(pm)
    pm.shallow_reason = "The payment vendor's internals are not visible to us"
    (r,) = results_for(pm, "whys.depth")
    assert r.result == "warn"
    assert checks.exit_code(checks.run(pm, now=CHECKED_AT)) == 0


def test_branching_why_tree_counts_its_deepest_chain():
    pm = complete_postmortem()
    pm.whys = [Why("A", "a"), Why("B", "b", "A"), Why("C", "c", "A"), Why("D", "d", "C"), Why("E", "e", "D")]
    assert results_for(pm, "whys.depth")[0].result == "fail"
    pm.whys.append(Why("F", "f", "E"))
    (r,) = results_for(pm, "whys.depth")
    assert (r.result, r.message) == ("pass", "deepest why chain is 5 deep")


def test_factor_with_empty_text_does_not_count():
    pm = complete_postmortem()
    pm.factors = [Factor("F1", "real", "monitoring"), Factor("F2", "  ", "testing")]
    assert results_for(pm, "factors.multiple")[0].result == "fail"


def test_follow_up_default_warns_until_scheduled():
    pm = complete_postmortem()
    pm.follow_up = None
    (r,) = results_for(pm, "review.follow_up")
    assert r.result == "warn" and "2025-03-09" in r.message


def test_sharing_deadline_relative_to_now():
    pm = complete_postmortem()
    pm.shared = None
    within = pm.times.resolved + timedelta(hours=47)
    assert results_for(pm, "report.shared", now=within)[0].result == "warn"
    assert results_for(pm, "report.shared", now=within + timedelta(hours=2))[0].result == "fail"
    pm.shared = pm.times.resolved + timedelta(hours=72)
    (late,) = results_for(pm, "report.shared")
    assert late.result == "warn" and "72 h" in late.message
    # A naive `now` is read as UTC rather than crashing.
    pm.shared = None
    assert results_for(pm, "report.shared", now=datetime(2025, 2, 20))[0].result == "fail"


def test_several_vague_items_each_reported_with_their_id():
    pm = complete_postmortem()
    pm.actions += [ActionItem("AI-003", "Investigate the database"), ActionItem("AI-004", "Be more careful")]
    rows = [r.row for r in results_for(pm, "actions.specific")]
    assert rows == ["AI-003", "AI-004"]


# -- blame language ---------------------------------------------------------------

BLAME = [
    ("@alice caused the outage", "@alice caused"),
    ("The outage was caused by human error.", "human error"),
    ("Operator error during failover", "Operator error"),
    ("Bob should have checked the dashboard", "should have"),
    ("We shouldn't have deployed", "shouldn't have"),
    ("She forgot to update the config", "forgot to"),
    ("A careless change to the pool size", "careless"),
    ("It was Dave's fault", "Dave's fault"),
    ("gross negligence by the team", "negligence"),
    ("The engineer didn't bother to read the runbook", "didn't bother"),
    ("the on-call engineer ignored the page", "the on-call engineer ignored"),
    ("@bob.smith broke production", "@bob.smith broke"),
    ("the developer made a mistake", "made a mistake"),
]


@pytest.mark.parametrize("text, phrase", BLAME)
def test_blame_spans_find_the_phrase(text, phrase):
    spans = checks.blame_spans(text)
    assert len(spans) >= 1
    start, end, found, hint = spans[0]
    assert found == phrase and text[start:end] == phrase
    assert len(hint) > 40


NOT_BLAME = [
    "A blameless review was held",
    "The deploy tool allowed the change without a review step",
    "The health check failed to detect the degraded replica",
    "Alert acknowledged by @alice",
    "Customers shouldered retries",
    "Errors were forgotten in the log rotation? no: logs rotated after 1 GB",
    "The fault injection test passed",
    "",
]


@pytest.mark.parametrize("text", NOT_BLAME)
def test_system_language_is_not_blame(text):
    assert checks.blame_spans(text) == []


def test_blame_hint_is_system_focused():
    (span,) = checks.blame_spans("pure human error")
    assert "what made the error possible" in span[3]


def test_blame_scans_every_prose_field_but_not_people_fields():
    pm = complete_postmortem()
    bad = "@mallory caused it"
    pm.timeline[0].actor = bad
    pm.authors.append(bad)
    pm.reviewers.append(bad)
    pm.actions[0].owner = bad
    assert results_for(pm, "language.blameless")[0].result == "pass"

    places = [
        ("summary", lambda p: setattr(p, "summary", bad), "summary", None),
        ("trigger", lambda p: setattr(p, "trigger", bad), "root_cause", None),
        ("root_cause", lambda p: setattr(p, "root_cause", bad), "root_cause", None),
        ("immediate", lambda p: setattr(p, "immediate_cause", bad), "factors", None),
        ("impact", lambda p: setattr(p.impact, "description", bad), "impact", None),
        ("prevention", lambda p: setattr(p, "prevention", bad), "prevention", None),
        ("event", lambda p: setattr(p.timeline[2], "event", bad), "timeline", 2),
        ("why", lambda p: setattr(p.whys[3], "text", bad), "factors", "W4"),
        ("factor", lambda p: setattr(p.factors[1], "text", bad), "factors", "F2"),
        ("action", lambda p: setattr(p.actions[1], "action", bad), "actions", "AI-002"),
        ("systemic", lambda p: p.systemic_issues.append(bad), "factors", 1),
        ("went_well", lambda p: p.went_well.append(bad), "went_well", 1),
        ("went_wrong", lambda p: p.went_wrong.append(bad), "went_wrong", 1),
        ("lucky", lambda p: p.lucky.append(bad), "lucky", 1),
        ("lessons", lambda p: p.lessons.append(bad), "lessons", 1),
        ("gap", lambda p: setattr(p.gaps[0], "description", bad), "gaps", 0),
    ]
    for name, mutate, section, row in places:
        pm = complete_postmortem()
        mutate(pm)
        found = results_for(pm, "language.blameless")
        assert [(r.result, r.section, r.row) for r in found] == [("fail", section, row)], name
        assert "'@mallory caused'" in found[0].message


# -- vague actions --------------------------------------------------------------------

VAGUE = [
    "Improve monitoring",
    "improve the alerting for the API",
    "Investigate the root cause further",
    "Look into connection pooling",
    "Be more careful when deploying",
    "Better testing",
    "More test coverage for the orders service",
    "Optimize the database",
    "Document things as needed",
    "Fix it",
    "",
]

CONCRETE = [
    # The procedure's own action items.
    "Add connection pool metrics to Grafana",
    "Create runbook: DB connection saturation",
    "Add DB query plan check to CI/CD",
    "Review and adjust connection pool size",
    "Implement DB slow query alerts (<100ms)",
    "Add load testing for new query patterns",
    # Rescued by a number or a named deliverable.
    "Improve p99 latency of /orders to under 200 ms",
    "Improve monitoring by adding a pool saturation alert to Alertmanager",
]


@pytest.mark.parametrize("text", VAGUE)
def test_vague_actions_get_a_rewrite_hint(text):
    hint = checks.vague_action(text)
    assert hint is not None and len(hint) > 20


@pytest.mark.parametrize("text", CONCRETE)
def test_concrete_actions_pass(text):
    assert checks.vague_action(text) is None


def test_vague_hint_fits_the_phrase():
    assert "metric" in checks.vague_action("Improve monitoring")
    assert "guardrail" in checks.vague_action("Be more careful")
    assert "question" in checks.vague_action("Investigate the outage")
    assert "load test" in checks.vague_action("Better testing")


def test_results_serialise():
    pm = complete_postmortem()
    _vague(pm)
    (r,) = results_for(pm, "actions.specific")
    d = r.to_dict()
    assert set(d) == {"id", "result", "message", "section", "row", "suggestion"}
    assert d["row"] == "AI-002" and d["result"] == "fail"


def test_empty_post_mortem_fails_without_crashing():
    from pmtui.model import PostMortem

    results = checks.run(PostMortem(), now=CHECKED_AT)
    failed = {r.id for r in results if r.result == "fail"}
    assert {"times.recorded", "timeline.complete", "factors.multiple", "whys.depth", "actions.complete",
            "review.follow_up"} <= failed


def test_mixed_timezones_in_timeline_do_not_crash_order_check():
    pm = complete_postmortem()
    pm.timeline.insert(1, TimelineEvent(datetime(2025, 2, 9, 10, 6), "naive", "x"))
    results = checks.run(pm, now=CHECKED_AT)
    assert results_for(pm, "timeline.utc")[0].row == 1
    assert results_for(pm, "timeline.order")[0].result == "pass"
    assert any(r.result == "fail" for r in results)


def test_now_defaults_to_the_clock():
    pm = complete_postmortem()
    pm.shared = None
    # Resolved in 2025: by the real clock the 48 hours are long gone.
    assert [r.result for r in checks.run(pm) if r.id == "report.shared"] == ["fail"]
    assert datetime.now(UTC) > pm.times.resolved


def test_locations_name_rows_as_a_person_finds_them():
    from pmtui import checks
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.timeline[3].event = "The operator forgot to check the pool size"
    pm.lessons = ["The operator should have checked"]
    messages = [r.message for r in checks.check_blame(pm, pm.times.resolved)]
    row = pm.timeline[3]
    assert any(m.startswith(f"timeline {row.time:%H:%M:%S} \u201cThe operator forgot") for m in messages), messages
    assert any(m.startswith("lesson \u201cThe operator should have checked\u201d") for m in messages), messages
    assert not any("[" in m.split(":")[0] for m in messages), messages  # no timeline[3], lessons[0]


def test_blame_check_finds_what_a_pass_over_prose_fields_finds():
    """check_blame names a timeline row's place only for rows with a finding
    (perf2); its results are those of the whole pass over prose_fields,
    every place named up front, as it was written before."""
    from pmtui.blame import people_in
    from pmtui.checks import blame_spans_many
    from pmtui.sample import large_postmortem

    pm = large_postmortem(2000)
    for i, (text, _phrase) in enumerate(BLAME):
        pm.timeline[i * 97].event = f"{text} at step {i}"
    pm.timeline[5].time = pm.timeline[5].time.astimezone(timezone(timedelta(hours=2)))  # named in UTC
    pm.lessons = [BLAME[0][0], "A blameless review was held"]
    pm.summary, pm.trigger = BLAME[1][0], BLAME[2][0]  # before the rows, and after them below
    pm.whys = [Why("W1", BLAME[3][0])]
    pm.actions = [ActionItem("AI-001", BLAME[5][0])]

    def before(pm):
        fields = list(checks.prose_fields(pm))
        found = blame_spans_many([f[3] for f in fields], people_in(pm))
        out = [checks.CheckResult("language.blameless", checks.FAIL, f"{where}: blame language {phrase!r}",
                                  section, row, hint)
               for (section, row, where, _text), spans in zip(fields, found, strict=True)
               for _start, _end, phrase, hint in spans]
        return out or [checks.CheckResult("language.blameless", checks.PASS, "no blame language found", "")]

    now = checks.check_blame(pm, pm.times.resolved)
    assert len(now) >= len(BLAME) + 3
    assert now == before(pm)
    assert checks.check_blame(large_postmortem(50), pm.times.resolved) == before(large_postmortem(50))
