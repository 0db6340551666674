"""What the library computes: the overdue check, stats, similar systemic
issues, related-incident ranking, search hits and the review digest —
each against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pmtui import checks, store
from pmtui import model as m
from pmtui.library import scan, summarise
from pmtui.library.related import Index
from pmtui.library.review import build as build_digest
from pmtui.library.search import search
from pmtui.library.similar import group
from pmtui.library.stats import compute, percentile

NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)


def pm_at(pm_id: str, start: datetime, *, ttd=60, ttm=600, ttr=1800, severity="SEV2", services=("api",),
          alerts=(), signature="", categories=("testing",), systemic=(), root_cause="", actions=(),
          shared=True) -> m.PostMortem:
    t = m.IncidentTimes(start, start + timedelta(seconds=ttd), start + timedelta(seconds=ttm),
                        start + timedelta(seconds=ttr))
    timeline = [m.TimelineEvent(start, "first errors", kind="symptom")]
    timeline += [m.TimelineEvent(t.detected, f"Alertmanager: alert {a} started (active)", kind="detection")
                 for a in alerts]
    if signature:
        timeline.append(m.TimelineEvent(t.detected, f"first '{signature}' error \u2014 1 line", kind="symptom"))
    return m.PostMortem(
        id=pm_id, title=f"incident {pm_id}", severity=severity, services=list(services), times=t,
        timeline=timeline, factors=[m.Factor(f"F{i}", "x", c) for i, c in enumerate(categories, 1)],
        systemic_issues=list(systemic), root_cause=root_cause, actions=list(actions),
        shared=t.resolved + timedelta(hours=1) if shared else None)


# -- actions.overdue ---------------------------------------------------------------


def test_overdue_fails_for_high_priority_and_warns_otherwise():
    pm = pm_at("PM-1", NOW - timedelta(days=30), actions=[
        m.ActionItem("AI-001", "Add an index", priority="high", deadline=date(2025, 3, 1), owner="@bob"),
        m.ActionItem("AI-002", "Add an alert", priority="low", deadline=date(2025, 3, 11), status="in progress"),
        m.ActionItem("AI-003", "Write a runbook", priority="high", deadline=date(2025, 3, 1), status="done"),
        m.ActionItem("AI-004", "Add a test", priority="high", deadline=date(2025, 3, 12)),  # due today: not late
    ])
    got = [(r.result, r.row, r.message) for r in checks.run(pm, now=NOW) if r.id == "actions.overdue"]
    assert got == [
        ("fail", "AI-001", "AI-001 (@bob) is open, 11 days past its deadline 2025-03-01"),
        ("warn", "AI-002", "AI-002 is in progress, 1 day past its deadline 2025-03-11"),
    ]
    assert checks.exit_code(checks.run(pm, now=NOW)) == 1
    on_time = [r for r in checks.run(pm, now=datetime(2025, 2, 1, tzinfo=UTC)) if r.id == "actions.overdue"]
    assert [(r.result, r.message) for r in on_time] == [("pass", "no open action item is past its deadline (3 open)")]


def test_the_library_reruns_the_clock_checks_and_caches_the_rest():
    pm = pm_at("PM-1", NOW - timedelta(days=30), actions=[
        m.ActionItem("AI-001", "Add an index", priority="high", deadline=date(2025, 3, 1))])
    from pmtui.team import policy

    s = summarise(pm, NOW)
    assert all(c[1] == "clock" for c in s.checks if c[0] in checks.NOW_DEPENDENT)  # never cached
    for when in (NOW, datetime(2025, 2, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)):
        assert [(r.id, r.result, r.message) for r in s.checklist(when)] == \
               [(r.id, r.result, r.message) for r in policy.run(pm, now=when)]


def test_blame_prefilter_never_hides_a_match():
    for text in ("The engineer caused the outage", "Human error", "It was Bob's fault", "he should have known",
                 "@alice forgot to", "a sloppy change", "we didn't bother", "\u017fhould have", "HUMAN ERROR",
                 "The İntern ignored the alert", "the operator\nerror"):
        assert checks.blame_spans(text), text
    assert checks.blame_spans("Error rate rose to 12%") == []


# -- stats -----------------------------------------------------------------------------


def _library() -> list:
    d = datetime(2025, 1, 10, 10, tzinfo=UTC)
    return [summarise(p, NOW) for p in (
        pm_at("PM-A", d, ttd=60, ttr=1200, severity="SEV1", services=("api", "db"), alerts=("PoolSaturation",),
              signature="pool exhausted after <N>ms", categories=("testing", "monitoring"),
              systemic=["Schema migrations are not load-tested before release"],
              root_cause="A query without an index held connections until the pool was exhausted"),
        pm_at("PM-B", d + timedelta(days=20), ttd=120, ttr=3600, services=("api",), alerts=("PoolSaturation",),
              signature="pool exhausted after <N>ms", categories=("testing",),
              systemic=["Migrations ship without a load test"],
              root_cause="A missing index made the query hold pool connections"),
        pm_at("PM-C", d + timedelta(days=40), ttd=180, ttr=600, services=("cdn",), alerts=("CertExpiring",),
              categories=("process",), systemic=["Nobody owns certificate renewal"],
              root_cause="The certificate expired"),
        pm_at("PM-D", d + timedelta(days=100), ttd=240, ttr=7200, severity="SEV3", services=("api",),
              categories=("capacity",), root_cause="The autoscaler capped pods"),
    )]


def test_stats_count_months_quarters_and_what_recurs():
    st = compute(_library(), today=NOW.date())
    assert st.months == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert st.per_month == {"2025-01": {"SEV1": 1, "SEV2": 1}, "2025-02": {"SEV2": 1}, "2025-03": {},
                            "2025-04": {"SEV3": 1}}
    q1 = st.durations["2025-Q1"]
    assert q1["ttd"] == (120, 180, 3) and q1["ttr"] == (1200, 3600, 3)
    assert st.durations["2025-Q2"]["ttr"] == (7200, 7200, 1)
    assert [(r.name, r.incidents) for r in st.alerts] == [("PoolSaturation", ["PM-A", "PM-B"]),
                                                          ("CertExpiring", ["PM-C"])]
    assert st.services[0].name == "api" and st.services[0].incidents == ["PM-A", "PM-B", "PM-D"]
    assert st.categories[0].name == "testing" and len(st.categories[0].incidents) == 2
    assert st.signatures[0].incidents == ["PM-A", "PM-B"]
    assert [g["incidents"] for g in st.systemic] == [["PM-A", "PM-B"]]
    since = compute(_library(), today=NOW.date(), since=date(2025, 2, 1))
    assert since.incidents == 2 and since.months == ["2025-02", "2025-03", "2025-04"]


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5 and percentile([], 90) is None


def test_similar_texts_group_in_different_words_and_unrelated_ones_do_not():
    groups = group(["Schema migrations are not load-tested before release", "Migrations ship without a load test",
                    "No load testing of database schema migrations", "Runbooks are out of date for payments",
                    "The payment runbook was outdated", "Nobody owns the CDN configuration",
                    "Disk alerts are too noisy"])
    assert [sorted(g.members) for g in groups] == [[0, 1, 2], [3, 4]]
    assert "load" in groups[0].shared and "test" in groups[0].shared


def test_related_ranking_prefers_what_is_rare_and_shared():
    lib = _library()
    ix = Index(lib)
    ranked = ix.suggest(lib[0])
    assert [s.id for s in ranked][:1] == ["PM-B"]
    assert "alert PoolSaturation" in ranked[0].reasons and "signature pool exhausted after <N>ms" in ranked[0].reasons
    assert all(s.id != "PM-A" for s in ranked)
    lib[0].related = ("PM-B",)
    assert "PM-B" not in [s.id for s in ix.suggest(lib[0])]
    assert ix.resolve(("PM-B", "PM-ELSEWHERE")) == [("PM-B", lib[1]), ("PM-ELSEWHERE", None)]


# -- search ------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "2025").mkdir()
    for p in _library_pms():
        store.save(store.new_document(p, tmp_path / "2025" / f"{p.id}.toml"))
    return tmp_path


def _library_pms():
    d = datetime(2025, 1, 10, 10, tzinfo=UTC)
    a = pm_at("PM-A", d, root_cause="A query without an index held connections")
    a.timeline.append(m.TimelineEvent(d + timedelta(minutes=5), 'Pool at 20/20 "busy" on the primary', "app logs"))
    a.actions = [m.ActionItem("AI-001", "Add an index on orders.customer_id", owner="@bob")]
    b = pm_at("PM-B", d + timedelta(days=3), root_cause="Certificate expired")
    b.whys = [m.Why("W1", "The renewal job failed for an index reason")]
    return [a, b]


def test_search_finds_every_kind_of_field_with_its_line(folder):
    hits = list(search([folder], "INDEX"))
    where = {(h.pm_id, h.field) for h in hits}
    assert where == {("PM-A", "root_cause"), ("PM-A", "actions[AI-001].action"), ("PM-B", "whys[W1].text")}
    for h in hits:
        line = h.path.read_text().splitlines()[h.line - 1]
        assert "index" in line.lower(), (h, line)
        assert all(h.text[a:b].lower() == "index" for a, b in h.spans)
    # A quoted phrase the file stores escaped is still found; every word must be in the same field.
    assert [h.field for h in search([folder], '"busy"')] == ["timeline[1].event"]
    assert next(iter(search([folder], "index renewal"))).pm_id == "PM-B"
    assert list(search([folder], "nothing-like-this")) == []


# -- the review digest --------------------------------------------------------------------------


def test_digest_groups_open_overdue_closed_unshared_and_follow_ups(tmp_path):
    d = datetime(2025, 2, 1, 10, tzinfo=UTC)
    one = pm_at("PM-1", d, shared=False, actions=[
        m.ActionItem("AI-001", "Add an index", owner="@bob", priority="high", deadline=date(2025, 3, 1)),
        m.ActionItem("AI-002", "Add an alert", owner="@carol", priority="low", deadline=date(2025, 4, 1)),
        m.ActionItem("AI-003", "Write the runbook", owner="@bob", status="done", deadline=date(2025, 2, 10)),
    ])
    one.follow_up = date(2025, 3, 14)
    two = pm_at("PM-2", d - timedelta(days=60), actions=[
        m.ActionItem("AI-001", "Fix renewals", owner="", priority="medium", deadline=date(2025, 1, 1))])
    two.reviewed = date(2025, 1, 20)
    for p in (one, two):
        store.save(store.new_document(p, tmp_path / f"{p.id}.toml"))
    (tmp_path / "broken.toml").write_text('schema = 1\ntitle = "x"\n[times]\nstarted = 2025-01-01T00:00:00\n')
    entries = scan([tmp_path]).entries
    digest = build_digest(entries, NOW, closed_since={("PM-1", "AI-003"): NOW - timedelta(days=2)})
    assert [(i.pm_id, i.action.id, i.overdue_days) for i in digest.open] == \
           [("PM-2", "AI-001", 70), ("PM-1", "AI-001", 11), ("PM-1", "AI-002", 0)]
    assert list(digest.by_owner()) == ["@bob", "@carol", "(no owner)"]
    assert [(i.pm_id, i.action.id) for i in digest.closed] == [("PM-1", "AI-003")]
    assert [s.id for s, _f, _d in digest.unshared] == ["PM-1"]
    assert [(s.id, when) for s, _f, when in digest.follow_ups] == [("PM-1", date(2025, 3, 14))]
    assert digest.week_id == "2025-W11" and digest.week_start == date(2025, 3, 10)
    assert [f for f, _p in digest.problems] == [str(tmp_path / "broken.toml")]
    later = build_digest(entries, NOW + timedelta(days=8), closed_since={("PM-1", "AI-003"): NOW - timedelta(days=2)})
    assert later.closed == []
