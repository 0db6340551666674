"""The Overview's Team section: the team's custom fields, roles, runbooks,
sponsor, incident type and its own report sections, edited in place and
saved byte for byte; severity chosen with its definition shown; the
approve key; a broken .pmtui.toml shown, with the file still open."""

from __future__ import annotations

import difflib
import shutil

import pytest

from pmtui import store
from pmtui.ui.app import PmApp

TEAM = """\
[[severity]]
name = "P1"
description = "Customer-facing outage"
review_within_days = 3
[[severity]]
name = "P2"
description = "Degraded service"

[[types]]
name = "incident"
[[types]]
name = "near-miss"
description = "Caught before customers noticed"
near_miss = true

[[fields]]
name = "customer_tier"
label = "Customer tier"
type = "choice"
choices = ["free", "pro", "enterprise"]
required = true
[[fields]]
name = "pages"
label = "Pages sent"
type = "number"
[[fields]]
name = "comms"
label = "Comms owners"
type = "people"

[[roles]]
name = "incident_commander"
label = "Incident commander"
[[roles]]
name = "scribe"
label = "Scribe"

[report]
[[report.sections]]
key = "customer_comms"
heading = "Customer communication"
questions = ["Who told customers, and when?"]
"""


@pytest.fixture
def team_app(tmp_path, demo_file, fixed_now):
    def make(config: str = TEAM, **kwargs) -> PmApp:
        (tmp_path / ".pmtui.toml").write_text(config)
        path = tmp_path / "api.toml"
        shutil.copyfile(demo_file, path)
        kwargs.setdefault("now", fixed_now)
        kwargs.setdefault("blink", False)
        return PmApp(store.load(path), **kwargs)

    return make


async def _form(pilot, settle):
    await settle(pilot)
    pane = pilot.app.panes["overview"]
    pane.editor("title")
    await settle(pilot)
    return pane


async def test_custom_field_typed_in_is_saved_byte_for_byte(team_app, settle):
    app = team_app()
    before = app.document.path.read_text()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _form(pilot, settle)
        pages = pane.editor("custom-pages")
        pages.focus()
        await pilot.press(*"12", "enter")
        assert app.session.pm.custom == {"pages": 12}
        role = pane.editor("role-incident_commander")
        role.focus()
        await pilot.press(*"@alice", "tab")
        assert app.session.pm.roles == {"incident_commander": ["@alice"]}
        bad = pane.editor("custom-comms")
        bad.focus()
        await pilot.press(*"Alice Chen", "enter")
        assert "not a handle" in pane.error_text("custom-comms")
        assert "comms" not in app.session.pm.custom and bad.value == "Alice Chen"  # kept as typed
        await pilot.press("ctrl+s")
        await settle(pilot)
    after = app.document.path.read_text()
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert [line for line in added if line.strip()] == ["[roles]", 'incident_commander = ["@alice"]', "[custom]",
                                                        "pages = 12"]
    assert store.load(app.document.path).pm.custom == {"pages": 12}


async def test_choice_field_select_and_undo(team_app, settle):
    app = team_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _form(pilot, settle)
        tier = pane.editor("custom-customer_tier")
        tier.value = "enterprise"
        await settle(pilot)
        assert app.session.pm.custom["customer_tier"] == "enterprise"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "customer_tier" not in app.session.pm.custom


async def test_severity_is_chosen_with_its_definition(team_app, settle, screen_text):
    app = team_app()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = await _form(pilot, settle)
        select = pane.editor("severity")
        prompts = [str(p) for p, _v in select._options]
        assert "P1 — Customer-facing outage" in prompts and "P2 — Degraded service" in prompts
        assert "Customer-facing outage (review within 3 days, share within 48 h)" in str(
            pane.query_one("#hint-severity").content)
        select.value = "P2"
        await settle(pilot)
        assert app.session.pm.severity == "P2"
        assert str(pane.query_one("#hint-severity").content).startswith("Degraded service")


async def test_extra_section_text_and_near_miss_type(team_app, settle):
    app = team_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _form(pilot, settle)
        assert "Who told customers" in str(pane.query_one("#hint-section-customer_comms").content)
        area = pane.editor("section-customer_comms")
        area.focus()
        await pilot.press(*"Status page at 10:20", "escape")
        assert app.session.pm.sections == {"customer_comms": "Status page at 10:20"}
        pane.editor("incident_type").value = "near-miss"
        await settle(pilot)
        assert app.session.pm.incident_type == "near-miss"
        assert "not required" in str(pane.query_one("#hint-incident_type").content)


async def test_approve_key_records_the_approval(team_app, settle, fill):
    app = team_app()
    app.session.pm.approvals = [a for a in app.session.pm.approvals if a.who != "@frank"]
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _form(pilot, settle)
        assert "awaiting @frank" in str(pane.query_one("#ov-approvals").content)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await fill(pilot, {"note": "numbers checked"})
        await settle(pilot)
        assert [(a.who, a.note) for a in app.session.pm.approvals][-1] == ("@frank", "numbers checked")
        assert "@frank approved 2025-02-10 09:00" in str(pane.query_one("#ov-approvals").content)


async def test_broken_config_is_shown_and_the_file_still_opens(team_app, settle):
    app = team_app('[[fields]]\nname = "tier"\ntype = "colour"\n[checks]\nwhy_depth = = 2\n')
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _form(pilot, settle)
        toasts = [str(n.message) for n in app._notifications]
        assert any("TOML syntax error" in t and ".pmtui.toml:5" in t for t in toasts)
        assert pane.editor("title").value == "API Service Degradation"
        assert [f.name for f in app.pane_context.team.fields] == []  # defaults used


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_overview_team_section_snapshot(snap_compare, team_app, settle, size):
    app = team_app()
    pm = app.session.pm
    pm.custom = {"customer_tier": "enterprise", "pages": 3, "comms": ["@carol"]}
    pm.roles = {"incident_commander": ["@alice"], "scribe": ["@bob"]}
    pm.approvals = pm.approvals[:1]

    async def team_section(pilot):
        await settle(pilot)
        pane = pilot.app.panes["overview"]
        editor = pane.editor("custom-pages")
        await settle(pilot)
        editor.focus()
        pane.query_one("#ov-approvals").scroll_visible(animate=False)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=team_section)
