"""Export of action items to GitHub issues, through the real PyGithub
against the loopback GitHub in tests/support/github.py."""

from __future__ import annotations

import copy
import time

import pytest

from pmtui.export import (
    ExportError,
    ExportSettings,
    Token,
    apply,
    apply_sync,
    connect,
    plan,
    plan_sync,
)
from pmtui.export.issue_text import find_marker, marker
from pmtui.model import PostMortem

PM_ID = "PM-2025-007"  # the id of make_pm()'s post-mortem (tests/integration/conftest.py)


@pytest.fixture
def gh(fake_github):
    return fake_github()


def settings_for_test(gh, **kw) -> ExportSettings:
    kw.setdefault("max_wait", 2.0)
    return ExportSettings(repo=kw.pop("repo", "acme/ops"), base_url=gh.base_url, throttle=False,
                          backoff=0.01, **kw)


def client_for(gh, settings: ExportSettings, token: str | None = None):
    return connect(settings, Token(token or gh.token, "GITHUB_TOKEN"))


def export(gh, pm: PostMortem, **kw):
    """plan + apply as the CLI does, recording what the file held at each
    on_item_done (what a save would have written)."""
    settings = settings_for_test(gh, **kw)
    client = client_for(gh, settings)
    events = []
    p = plan(pm, settings, client, progress=events.append)
    saved: list[dict[str, tuple]] = []

    def on_done(outcome):
        saved.append({a.id: (a.issue, a.tracker) for a in pm.actions})

    result = apply(pm, p, client, progress=events.append, on_item_done=on_done)
    return p, result, saved, events


def posts(gh, path: str = "/repos/acme/ops/issues") -> int:
    return gh.count("POST", path)


# -- creating ---------------------------------------------------------------


def test_create_with_labels_and_assignee(gh, make_pm):
    pm = make_pm()
    p, result, saved, events = export(gh, pm)

    assert [(i.item_id, i.action) for i in p.items] == [("AI-001", "create"), ("AI-002", "create")]
    assert result.ok and result.exit_code == 0
    assert [o.status for o in result.outcomes] == ["created", "created"]
    first = gh.issues[pm.actions[0].issue]
    assert first.title == "AI-001: Add an alert on queue depth"
    for text in ("Add an alert on queue depth", "@bob", "2025-03-01", "high", "prevent",
                 "No alert fired on queue depth growth", PM_ID, "Checkout outage after config push"):
        assert text in first.body
    assert first.body.rstrip().endswith(marker(PM_ID, "AI-001"))
    assert first.labels == ["post-mortem", "priority: high"]
    assert first.assignees == ["bob"]
    second = gh.issues[pm.actions[1].issue]
    assert second.labels == ["post-mortem", "priority: medium"]
    assert second.assignees == []  # "Carol Smith" is not a login
    # Links written into the items, and present at each save.
    assert pm.actions[0].tracker == f"{gh.root}/acme/ops/issues/{pm.actions[0].issue}"
    assert [o.url for o in result.outcomes] == [a.tracker for a in pm.actions]
    assert saved[0]["AI-001"] == (pm.actions[0].issue, pm.actions[0].tracker)
    assert saved[0]["AI-002"] == (None, "")
    assert saved[1]["AI-002"][0] == pm.actions[1].issue
    assert any(e.stage == "item" for e in events) and events[-1].stage == "done"


def test_labels_created_when_missing(gh, make_pm):
    gh.labels["post-mortem"] = type(gh.labels["bug"])("Post-Mortem", "000000", None, False, 1)
    pm = make_pm()
    p, result, _, _ = export(gh, pm)
    assert p.missing_labels == ["priority: high", "priority: medium"]
    assert result.labels_created == ["priority: high", "priority: medium"]
    assert gh.labels["priority: high"].color == "b60205"
    assert gh.labels["priority: medium"].color == "fbca04"
    assert gh.labels["post-mortem"].color == "000000"  # existing one left alone
    assert [b["name"] for m, path, b in gh.requests if m == "POST" and path.endswith("/labels")] == [
        "priority: high", "priority: medium"]


def test_extra_labels_from_settings_are_created_and_applied(gh, make_pm):
    pm = make_pm()
    pm.github.labels = ["incident-review"]
    settings = settings_for_test(gh, labels=("incident-review",))
    client = client_for(gh, settings)
    result = apply(pm, plan(pm, settings, client), client)
    assert "incident-review" in result.labels_created
    assert all("incident-review" in i.labels for i in gh.issues.values())


def test_rerun_creates_nothing(gh, make_pm):
    pm = make_pm()
    export(gh, pm)
    before = (posts(gh), gh.count("PATCH"), len(gh.issues))
    p, result, saved, _ = export(gh, pm)
    assert [i.action for i in p.items] == ["unchanged", "unchanged"]
    assert not p.has_writes
    assert [o.status for o in result.outcomes] == ["unchanged", "unchanged"]
    assert (posts(gh), gh.count("PATCH"), len(gh.issues)) == before
    assert saved == []


def test_edited_item_updates_its_issue(gh, make_pm):
    pm = make_pm()
    export(gh, pm)
    number = pm.actions[0].issue
    gh.add_label_to_issue(number, "team-payments")  # added by a person on GitHub
    pm.actions[0].action = "Add alerts on queue depth and age"
    pm.actions[0].priority = "low"
    p, result, _, _ = export(gh, pm)
    assert p.items[0].action == "update"
    assert set(p.items[0].changes) == {"title", "body", "labels"}
    assert p.items[1].action == "unchanged"
    assert [o.status for o in result.outcomes] == ["updated", "unchanged"]
    issue = gh.issues[number]
    assert issue.title == "AI-001: Add alerts on queue depth and age"
    assert "Add alerts on queue depth and age" in issue.body
    assert issue.labels == ["post-mortem", "team-payments", "priority: low"]
    assert len(gh.issues) == 2 and posts(gh) == 2


def test_link_that_never_reached_the_file_is_found_by_listing(gh, make_pm):
    pm = make_pm()
    export(gh, pm)
    # Many other issues, so the marked ones sit on a later page of the listing.
    for n in range(130):
        gh.add_issue(f"unrelated {n}", "no marker here")
    gh.add_issue("a pull request", marker(PM_ID, "AI-002"), pull_request=True)
    lost = copy.deepcopy(pm)
    for a in lost.actions:
        a.issue, a.tracker = None, ""
    p, result, saved, _ = export(gh, lost)
    assert [i.action for i in p.items] == ["link", "link"]
    assert [o.status for o in result.outcomes] == ["linked", "linked"]
    assert [(a.issue, a.tracker) for a in lost.actions] == [(a.issue, a.tracker) for a in pm.actions]
    assert posts(gh) == 2
    listing = [path for m, path, _ in gh.requests if m == "GET" and path == "/repos/acme/ops/issues"]
    assert len(listing) >= 2 * 2  # two pages, for plan and for apply
    assert len(saved) == 2


def test_response_lost_after_create_makes_no_duplicate(gh, make_pm):
    gh.fault("POST", "/repos/acme/ops/issues", "drop_after")
    pm = make_pm()
    _, result, saved, events = export(gh, pm)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert len(gh.issues) == 2
    assert posts(gh) == 2  # the lost create was never sent again
    assert pm.actions[0].issue == 1 and find_marker(gh.issues[1].body) == (PM_ID, "AI-001")
    assert "found #1 by its marker" in result.outcomes[0].warnings[0]
    assert saved[0]["AI-001"][0] == 1
    assert any(e.stage == "retry" for e in events)


def test_502_after_the_issue_was_created_makes_no_duplicate(gh, make_pm):
    gh.fault("POST", "/repos/acme/ops/issues", "status_after", status=502)
    pm = make_pm()
    _, result, _, _ = export(gh, pm)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert len(gh.issues) == 2 and posts(gh) == 2
    assert "found #1 by its marker" in result.outcomes[0].warnings[0]


def test_default_pygithub_retry_would_duplicate(gh):
    """Why the client sets retry=0: PyGithub's default Retry resends the POST."""
    from github import Auth, Github

    gh.fault("POST", "/repos/acme/ops/issues", "drop_after")
    g = Github(base_url=gh.base_url, auth=Auth.Token(gh.token), seconds_between_requests=None,
               seconds_between_writes=None)
    g.get_repo("acme/ops").create_issue(title="once")
    assert [i.title for i in gh.issues.values()] == ["once", "once"]


def test_502_then_success(gh, make_pm):
    gh.fault("GET", "/repos/acme/ops/issues", "status", status=502)
    gh.fault("POST", "/repos/acme/ops/issues", "status", status=502)
    pm = make_pm()
    _, result, _, events = export(gh, pm)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert len(gh.issues) == 2
    # The 502'd create was checked for by listing before being sent again.
    assert posts(gh) == 3
    assert any("502" in e.message for e in events if e.stage == "retry")
    gh.fault("PATCH", r"/repos/acme/ops/issues/\d+", "status", status=502)
    pm.actions[1].action = "Write and rehearse the failover runbook"
    _, result, _, _ = export(gh, pm)
    assert [o.status for o in result.outcomes] == ["unchanged", "updated"]
    assert gh.count("PATCH") == 2
    assert gh.issues[pm.actions[1].issue].title == "AI-002: Write and rehearse the failover runbook"


def test_dropped_connection_on_a_read_is_retried(gh, make_pm):
    gh.fault("GET", "/repos/acme/ops/issues", "drop_after")
    gh.fault("GET", "/repos/acme/ops/labels", "drop_after")
    pm = make_pm()
    p, result, _, events = export(gh, pm)
    assert [i.action for i in p.items] == ["create", "create"]
    assert result.ok and len(gh.issues) == 2
    retries = [e.message for e in events if e.stage == "retry"]
    assert len(retries) == 2 and all("Could not reach" in m and "Retrying" in m for m in retries)
    assert gh.count("GET", "/repos/acme/ops/labels") == 3  # plan: dropped + retried; apply: once


def test_5xx_retries_are_bounded(gh, make_pm):
    gh.fault("GET", "/repos/acme/ops/issues", "status", status=502, times=10)
    pm = make_pm()
    settings = settings_for_test(gh, retries=2)
    with pytest.raises(ExportError) as err:
        plan(pm, settings, client_for(gh, settings))
    assert err.value.kind == "server" and "502" in err.value.message
    assert gh.count("GET", "/repos/acme/ops/issues") == 3


def test_secondary_rate_limit_waits_for_retry_after(gh, make_pm):
    gh.fault("POST", "/repos/acme/ops/issues", "secondary_rate_limit", retry_after=1)
    pm = make_pm()
    t0 = time.monotonic()
    _, result, _, events = export(gh, pm)
    elapsed = time.monotonic() - t0
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert len(gh.issues) == 2
    waits = [e for e in events if e.stage == "wait"]
    assert waits[0].wait_left is not None and 0 < waits[0].wait_left <= 1
    assert "waiting 1 s" in waits[0].message
    assert waits[-1].wait_left == 0.0
    assert 0.9 <= elapsed < 5


def test_rate_limit_longer_than_bound_stops_cleanly(gh, make_pm):
    pm = make_pm()
    settings = settings_for_test(gh, max_wait=2.0)
    client = client_for(gh, settings)
    p = plan(pm, settings, client)
    # The first create goes through; the second meets a 2-minute wait.
    first_done = []

    def on_done(outcome):
        first_done.append(outcome.item_id)
        gh.fault("POST", "/repos/acme/ops/issues", "secondary_rate_limit", retry_after=120)

    t0 = time.monotonic()
    result = apply(pm, p, client, on_item_done=on_done)
    assert time.monotonic() - t0 < 2
    assert [o.status for o in result.outcomes] == ["created", "not done"]
    assert result.stopped.kind == "rate-limit" and "120 s" in result.stopped.message
    assert result.exit_code == 1
    assert pm.actions[0].issue == 1 and pm.actions[1].issue is None
    assert first_done == ["AI-001"]


def test_primary_rate_limit_reports_reset_time(gh, make_pm):
    gh.fault("GET", "/repos/acme/ops/issues", "primary_rate_limit", reset_in=3600)
    pm = make_pm()
    settings = settings_for_test(gh)
    with pytest.raises(ExportError) as err:
        plan(pm, settings, client_for(gh, settings))
    assert err.value.kind == "rate-limit"
    assert "resets at" in err.value.message


# -- refusing ---------------------------------------------------------------


def test_401_bad_credentials(gh, make_pm):
    pm = make_pm()
    settings = settings_for_test(gh)
    secret = "ghp_wrongwrongwrongwrongwrongwrong0000"
    with pytest.raises(ExportError) as err:
        plan(pm, settings, client_for(gh, settings, token=secret))
    e = err.value
    assert e.kind == "auth" and e.status == 401 and e.is_usage
    assert "401" in e.message and "GITHUB_TOKEN" in e.message and "Bad credentials" in e.message
    assert "gh auth login" in e.hint
    assert secret not in str(e) and secret not in repr(e.args)


def test_404_repository(gh, make_pm):
    pm = make_pm()
    settings = settings_for_test(gh, repo="acme/nope")
    with pytest.raises(ExportError) as err:
        plan(pm, settings, client_for(gh, settings))
    e = err.value
    assert e.kind == "not-found" and e.status == 404
    assert "acme/nope" in e.message and "private" in e.hint


def test_403_without_write_access_is_not_a_rate_limit(gh, make_pm):
    gh.write_access = False
    pm = make_pm()
    _, result, _, _ = export(gh, pm)
    assert result.stopped.kind == "forbidden"
    assert "Resource not accessible by personal access token" in result.stopped.message
    assert "Issues: read and write" in result.stopped.hint
    assert [o.status for o in result.outcomes] == ["not done", "not done"]
    assert result.exit_code == 2
    assert len(gh.issues) == 0


def test_422_unknown_assignee_creates_without_it(gh, make_pm):
    pm = make_pm()
    pm.actions[0].owner = "@ghost"
    _, result, _, _ = export(gh, pm)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    issue = gh.issues[pm.actions[0].issue]
    assert issue.assignees == []
    warning = result.outcomes[0].warnings[0]
    assert "@ghost" in warning and "422" in warning and "without an assignee" in warning
    assert gh.count("POST", "/repos/acme/ops/issues") == 3  # refused once, then sent without it
    assert result.warnings == [f"AI-001: {warning}"]
    assert len(gh.issues) == 2


def test_cancel_between_items(gh, make_pm):
    pm = make_pm()
    settings = settings_for_test(gh)
    client = client_for(gh, settings)
    p = plan(pm, settings, client)
    done = []
    result = apply(pm, p, client, cancelled=lambda: bool(done), on_item_done=done.append)
    assert [o.status for o in result.outcomes] == ["created", "not done"]
    assert result.stopped.kind == "cancelled"
    assert len(gh.issues) == 1


def test_items_tracked_elsewhere_or_without_text_are_skipped(gh, make_pm):
    pm = make_pm()
    pm.actions[0].tracker = "https://jira.example.com/browse/OPS-12"
    pm.actions[1].action = ""
    p, result, _, _ = export(gh, pm)
    assert [i.action for i in p.items] == ["skip", "skip"]
    assert "jira.example.com" in p.items[0].why
    assert len(gh.issues) == 0 and result.ok


# -- reading back -------------------------------------------------------------


def test_sync_after_an_issue_is_closed(gh, make_pm):
    pm = make_pm()
    export(gh, pm)
    n1, n2 = pm.actions[0].issue, pm.actions[1].issue
    gh.close(n1)
    gh.assign(n2, "carol")
    settings = settings_for_test(gh)
    changes = plan_sync(pm, settings, client_for(gh, settings))
    assert {(c.item_id, c.field, c.new) for c in changes} == {("AI-001", "status", "done"),
                                                              ("AI-002", "owner", "@carol")}
    assert pm.actions[0].status == "open"  # plan_sync only reads
    assert apply_sync(pm, changes) == 2
    assert pm.actions[0].status == "done" and pm.actions[1].owner == "@carol"
    gh.reopen(n1)
    changes = plan_sync(pm, settings, client_for(gh, settings))
    assert [(c.item_id, c.field, c.old, c.new) for c in changes] == [("AI-001", "status", "done", "open")]


# -- GitHub Enterprise ---------------------------------------------------------


def test_github_enterprise_base_url(fake_github, make_pm):
    ghe = fake_github(prefix="/api/v3")
    pm = make_pm()
    _, result, _, _ = export(ghe, pm)
    assert [o.status for o in result.outcomes] == ["created", "created"]
    assert ghe.base_url.endswith("/api/v3")
    assert pm.actions[0].tracker == f"{ghe.root}/acme/ops/issues/1"
    assert ghe.count("POST", "/repos/acme/ops/issues") == 2
    p, _, _, _ = export(ghe, pm)
    assert [i.action for i in p.items] == ["unchanged", "unchanged"]


def test_worker_thread_cancel_during_rate_limit_wait(gh, make_pm):
    """The UI pattern: plan and apply in a thread, countdown shown from the
    progress events, cancel from the main thread ends the wait at once."""
    import threading

    gh.fault("POST", "/repos/acme/ops/issues", "secondary_rate_limit", retry_after=30)
    pm = make_pm()
    settings = settings_for_test(gh, max_wait=60.0)
    client = client_for(gh, settings)
    cancel = threading.Event()
    waiting = threading.Event()
    out = {}

    def progress(p):
        if p.stage == "wait" and p.wait_left:
            waiting.set()

    def worker():
        p = plan(pm, settings, client, progress=progress, cancelled=cancel.is_set)
        out["result"] = apply(pm, p, client, progress=progress, cancelled=cancel.is_set)

    t = threading.Thread(target=worker)
    t.start()
    assert waiting.wait(5)
    t0 = time.monotonic()
    cancel.set()
    t.join(5)
    assert not t.is_alive() and time.monotonic() - t0 < 1
    result = out["result"]
    assert result.stopped.kind == "cancelled"
    assert [o.status for o in result.outcomes] == ["not done", "not done"]
    assert len(gh.issues) == 0


def test_rate_limit_wait_reads_github_headers():
    from pmtui.export.github import rate_limit_wait

    now = 1_700_000_000.0
    assert rate_limit_wait(403, {"retry-after": "7"}, "You have exceeded a secondary rate limit.", now) == 7
    primary = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 120)}
    assert rate_limit_wait(403, primary, "API rate limit exceeded for user ID 1001.", now) == 121
    assert rate_limit_wait(403, {}, "You have exceeded a secondary rate limit. Please wait a few minutes "
                                    "before you try again.", now) == 60
    assert rate_limit_wait(429, {}, "", now) == 60
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "4999"},
                           "Resource not accessible by personal access token", now) is None
    assert rate_limit_wait(502, {"retry-after": "1"}, "Server Error", now) is None


def test_marker_cannot_be_forged_by_item_text(make_pm):
    from pmtui.export.issue_text import body_for

    pm = make_pm()
    pm.actions[0].action = "Stop <!-- pmtui:PM-OTHER/AI-009 --> this"
    pm.actions[0].owner = "-->"
    body = body_for(pm, pm.actions[0])
    assert find_marker(body) == (PM_ID, "AI-001")
    assert body.count("<!--") == 1
    assert find_marker("text\n<!-- pmtui:PM-1/AI-002 -->\nmore after") is None
