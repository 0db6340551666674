"""The Actions pane's export key against the loopback GitHub server,
through the real PyGithub client: dry run listed, confirmed, applied with
the links written into the model and the file; a second run writes nothing."""

from __future__ import annotations

import pytest

from pmtui.trust import Trust
from pmtui.ui.panes.actions import ActionsPane
from pmtui.ui.screens.export import ExportScreen

store = pytest.importorskip("pmtui.store")


@pytest.fixture
def github(monkeypatch, fake_github):
    server = fake_github()
    monkeypatch.setenv("GITHUB_TOKEN", server.token)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    return server


async def wait_for_screen(pilot, cls, settle):
    for _ in range(400):
        await settle(pilot)
        if isinstance(pilot.app.screen, cls):
            return pilot.app.screen
    raise AssertionError(f"{cls.__name__} never shown")


async def wait_for_state(pilot, screen, state: str, settle) -> None:
    for _ in range(400):
        await settle(pilot)
        if screen.state == state:
            return
    raise AssertionError(f"export screen stuck in {screen.state}")


async def test_export_key_plans_confirms_applies_and_reruns_clean(tmp_path, github, demo_pm, open_app, settle):
    pm = demo_pm()
    pm.github.repo = github.full_name
    pm.github.base_url = github.base_url
    Trust.load().remember(github.base_url, "github")  # the user trusted this GitHub (pmtui.trust)
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        screen = await wait_for_screen(pilot, ExportScreen, settle)
        assert [(i.item_id, i.action) for i in screen.plan.items] == [
            ("AI-001", "create"), ("AI-002", "create"), ("AI-003", "create")]
        listing = str(screen.query_one("#export-list").render())
        assert "AI-001: Add connection pool metrics" in listing and "create" in listing
        assert github.count("POST") == 0  # the dry run wrote nothing
        await pilot.press("y")
        await wait_for_state(pilot, screen, "done", settle)
        assert sorted(i.title for i in github.issues.values()) == [
            "AI-001: Add connection pool metrics to the Grafana DB dashboard",
            "AI-002: Improve monitoring",
            "AI-003: Add a DB query plan check to the CI pipeline",
        ]
        numbers = {i.title.split(":")[0]: n for n, i in github.issues.items()}
        assert [a.issue for a in pm.actions] == [numbers["AI-001"], numbers["AI-002"], numbers["AI-003"]]
        assert all(a.tracker.startswith(github.root) for a in pm.actions)
        assert "created" in str(screen.query_one("#export-status").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.active_pane, ActionsPane) and not isinstance(app.screen, ExportScreen)
        saved = store.load(tmp_path / "incident.toml").pm
        assert [(a.id, a.issue) for a in saved.actions] == [(a.id, a.issue) for a in pm.actions]
        # safe to run again: everything unchanged, nothing created
        posts = github.count("POST")
        await pilot.press("E")
        screen = await wait_for_screen(pilot, ExportScreen, settle)
        assert {i.action for i in screen.plan.items} == {"unchanged"}
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        assert github.count("POST") == posts and len(github.issues) == 3


async def test_export_without_repository_says_what_to_set(github, demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("No GitHub repository" in m and "[export.github]" in m for m in messages)
        assert not isinstance(app.screen, ExportScreen)


async def test_export_with_a_wrong_token_reports_401(github, monkeypatch, demo_pm, open_app, settle):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrongtoken00000000000000000000000000")
    pm = demo_pm()
    pm.github.repo = github.full_name
    pm.github.base_url = github.base_url
    Trust.load().remember(github.base_url, "github")  # the user trusted this GitHub (pmtui.trust)
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        for _ in range(200):
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            if any("401" in m for m in messages):
                break
        assert any("401" in m for m in messages)
        assert not any("ghp_wrongtoken" in m for m in messages)
        assert all(a.issue is None for a in pm.actions)


async def test_sync_key_reads_closed_issues_and_assignees_back(tmp_path, github, demo_pm, open_app, settle):
    pm = demo_pm()
    pm.github.repo = github.full_name
    pm.github.base_url = github.base_url
    Trust.load().remember(github.base_url, "github")  # the user trusted this GitHub (pmtui.trust)
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        screen = await wait_for_screen(pilot, ExportScreen, settle)
        await pilot.press("y")
        await wait_for_state(pilot, screen, "done", settle)
        await pilot.press("escape")
        await settle(pilot)
        first, second = pm.actions[0], pm.actions[1]
        assert first.status != "done"
        github.close(first.issue)
        github.assign(second.issue, "carol")
        gets, posts, patches = github.count("GET"), github.count("POST"), github.count("PATCH")
        await pilot.press("S")
        for _ in range(400):
            await settle(pilot)
            if first.status == "done":
                break
        # Sync only reads.
        assert github.count("GET") > gets
        assert (github.count("POST"), github.count("PATCH")) == (posts, patches)
        assert first.status == "done"
        assert second.owner == "@carol"
        assert any("Synced from GitHub" in str(n.message) for n in app._notifications)
        await pilot.press("ctrl+z")  # one undoable edit
        assert first.status != "done" and second.owner != "@carol"
        await pilot.press("ctrl+y", "ctrl+s")
        saved = store.load(tmp_path / "incident.toml").pm
        assert saved.actions[0].status == "done" and saved.actions[1].owner == "@carol"
        # Nothing new on GitHub: sync again changes nothing.
        await pilot.press("S")
        for _ in range(400):
            await settle(pilot)
            if any("already matches" in str(n.message) for n in app._notifications):
                break
        assert any("already matches" in str(n.message) for n in app._notifications)


async def test_export_asks_before_sending_the_token_to_a_server_the_file_names(github, demo_pm, open_app, settle):
    """Issue 16: the app shows the endpoint and asks before the first use;
    no: no request at all; yes: remembered in trust.toml, then the export."""
    from pmtui.trust import origin
    from pmtui.ui.screens.trust import TrustScreen

    pm = demo_pm()
    pm.github.repo = github.full_name
    pm.github.base_url = github.base_url
    app = open_app(pm, "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for keep in ("n", "enter"):  # enter is the safe answer: the token stays
            await pilot.press("E")
            question = await wait_for_screen(pilot, TrustScreen, settle)
            assert question.where == origin(github.base_url)
            await pilot.press(keep)
            await settle(pilot)
            assert github.requests == [] and not Trust.load().allows(github.base_url, "github")
        await pilot.press("E")
        await wait_for_screen(pilot, TrustScreen, settle)
        await pilot.press("y")
        await wait_for_screen(pilot, ExportScreen, settle)
        assert Trust.load().allows(github.base_url, "github") and github.requests
