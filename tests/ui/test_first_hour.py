"""What a user meets in the first hour (issue 11, items 4, 6, 7, 9, 10)
under the pilot: the palette reaches every pane, the config's [keys]
rebinds, save as, forms that choose from lists and flag as you type,
detail panels, focus that stays where the keys work."""

from __future__ import annotations

from pmtui import store
from pmtui.model import Evidence
from pmtui.ui.config import keymap_of, save_config_value
from pmtui.ui.screens.form import FormScreen
from pmtui.ui.widgets.detail import DetailPanel


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_palette_offers_every_pane_and_runs_there(make_app, settle):
    from pmtui.ui.commands import PmCommands

    app = make_app(first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        names = [name for name, _run, _help in PmCommands(app.screen)._commands()]
        for wanted in ("analysis: fishbone", "actions: export to github", "report: write report",
                       "timeline: add event", "collect: collect", "file: save as", "go: report"):
            assert wanted in names, wanted
        # The pane on show first.
        assert names[0].startswith("timeline: ")
        run = next(r for n, r, _h in PmCommands(app.screen)._commands() if n == "analysis: fishbone")
        await run()
        await settle(pilot)
        assert app.active_pane.pane_name == "analysis" and app.active_pane.show_fishbone


async def test_config_keys_table(tmp_path, monkeypatch, make_app, settle):
    from pmtui import locations

    config = locations.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('# my settings\ntheme = "pmtui-dark"\n\n[keys]\n"timeline.add" = "n, insert"\n'
                      '"nope.nothing" = "z"\n"timeline.edit" = 3\n')
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        said = " ".join(toasts(app))
        assert "'nope.nothing': no such binding" in said and "'timeline.edit': expected a string" in said
    # Remembering a theme keeps the comments and the [keys] table.
    save_config_value("theme", "pmtui-light")
    text = config.read_text()
    assert text.startswith("# my settings") and 'theme = "pmtui-light"' in text and '"timeline.add"' in text
    assert keymap_of({"keys": {"a.b": "x,y"}}) == ({"a.b": "x,y"}, [])


async def test_broken_config_is_named_and_left_alone(make_app, settle):
    from pmtui import locations

    config = locations.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[keys\n")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any("Config not read" in t and "config.toml" in t for t in toasts(app))
    assert config.read_text() == "[keys\n"


async def test_save_as_edits_the_new_file_and_takes_the_evidence(make_app, settle, tmp_path):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        old = app.document.path
        (old.parent / "incident.evidence").mkdir()
        (old.parent / "incident.evidence" / "log.txt").write_text("evidence\n")
        app.session.pm.evidence.append(Evidence("E1", "logs", "demo", "incident.evidence/log.txt", "0" * 64))
        other = tmp_path / "elsewhere"
        other.mkdir()
        await pilot.press("x", "ctrl+w")
        await settle(pilot)
        box = app.screen.query_one("#field-value")
        box.value = str(other / "copy")  # .toml is added
        await pilot.press("enter")
        await settle(pilot)
        assert app.document.path == other / "copy.toml" and not app.session.dirty
        assert (other / "incident.evidence" / "log.txt").read_text() == "evidence\n"
        await pilot.press("x", "ctrl+s")
        await settle(pilot)
    assert len(store.load(other / "copy.toml").pm.timeline) == len(store.load(old).pm.timeline) - 2


async def test_save_as_refuses_the_open_file_and_an_existing_one(make_app, settle):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+w")
        await settle(pilot)
        box = app.screen.query_one("#field-value")
        box.value = "incident.toml"
        await pilot.press("enter")
        await settle(pilot)
        assert "the file open now" in str(app.screen.query_one("#error-value").render())


async def test_undoing_every_edit_is_not_unsaved(make_app, settle, screen_text):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("x", "x")
        await settle(pilot)
        assert "unsaved" in screen_text(app).splitlines()[0]
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot)
        assert not app.session.dirty and "unsaved" not in screen_text(app).splitlines()[0]


async def test_action_form_flags_vague_wording_as_typed_and_picks_factors(demo_pm, open_app, settle):
    app = open_app(demo_pm(), "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"Improve monitoring")
        await settle(pilot)
        advice = app.screen.query_one("#advice-action")
        assert advice.has_class("-shown") and "\u26a0" in str(advice.render())
        await pilot.press("end", *" of pool saturation: alert at 80% for 5 min on the DB "
                          "dashboard")
        await settle(pilot)
        assert not app.screen.query_one("#advice-action").has_class("-shown")


async def test_enter_on_a_choice_saves_the_form(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#field-kind").focus()
        await settle(pilot)
        await pilot.press("space")  # opens the choice
        await settle(pilot)
        await pilot.press("down", "enter")  # takes one; the menu closes
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await pilot.press("enter")  # on the closed choice: saves
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert pm.timeline[0].kind == "detection"


async def test_empty_fields_show_examples_not_values(tmp_path, fixed_now):
    from pmtui.model import PostMortem
    from pmtui.ui.app import PmApp

    app = PmApp(store.new_document(PostMortem(title="T"), tmp_path / "n.toml"), now=fixed_now, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.panes["overview"].form_shown.wait()
        await pilot.pause()
        assert app.panes["overview"].editor("id").placeholder.startswith("e.g. ")
        assert app.panes["overview"].editor("started").placeholder.startswith("e.g. ")


async def test_detail_panels_follow_the_cursor(demo_pm, open_app, settle):
    pm = demo_pm()
    app = open_app(pm, "analysis")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = app.query_one("#analysis-detail", DetailPanel)
        await pilot.press("down", "down")
        await settle(pilot)
        assert detail.text.plain.startswith("W2 Each request held a connection for seconds")
        await pilot.press("e", "ctrl+u", *"Requests held connections for whole seconds", "enter")
        await settle(pilot)
        assert detail.text.plain.startswith("W2 Requests held connections for whole seconds")
        await pilot.press("tab")
        await settle(pilot)
        assert detail.text.plain.startswith("F1 [monitoring] Connection pool utilisation not monitored")


async def test_focus_never_leaves_for_the_tab_bar(make_app, settle):
    from textual.widgets import Tabs

    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("tab")
            await settle(pilot)
            assert app.focused is app.panes["timeline"].table
        assert not app.query_one(Tabs).can_focus
        await pilot.press("1")
        await settle(pilot)
        await app.panes["overview"].form_shown.wait()
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "overview-bar"
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused.id == "ov-title"
        await pilot.press("end", "3")
        await settle(pilot)
        assert app.active_pane.pane_name == "overview"  # a digit in a field is text


async def test_ctrl_c_toast_is_plain(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert "Press ctrl+q to quit." in toasts(app) and not any("[b]" in t for t in toasts(app))


async def test_fishbone_view_shows_every_factor_whole(demo_pm, open_app, settle, screen_text):
    from pmtui.ui.screens.view import ViewScreen

    app = open_app(demo_pm(), "analysis")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "f", "v")
        await settle(pilot)
        assert isinstance(app.screen, ViewScreen)
        text = " ".join(screen_text(app).split())
        assert "Contributing factors by category" in text
        assert "F2 Load testing didn't include the new query pattern" in text
