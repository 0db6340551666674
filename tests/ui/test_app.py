"""The app shell: panes, header, palette, help, save, quit, themes, CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from pmtui import locations, store
from pmtui.cli import main
from pmtui.cli.app import copy_demo
from pmtui.ui.app import PANES, PmApp, load_pane_class
from pmtui.ui.commands import PmCommands
from pmtui.ui.screens.confirm import UnsavedScreen
from pmtui.ui.screens.help import HelpScreen


async def test_tabs_in_procedure_order_and_number_keys(make_app, screen_text):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tabs = screen_text(app).splitlines()[1]
        assert tabs.split() == [
            "1", "Overview", "2", "Collect", "3", "Timeline", "4", "Analysis", "5", "Actions", "6", "Report"]
        for info in reversed(PANES):  # the table has focus: digits switch panes
            await pilot.press(info.key)
            await pilot.pause()
            assert app.active_pane is app.panes[info.name]
            assert isinstance(app.active_pane, load_pane_class(info.name))
        # Built once, kept: switching back is the same widget.
        first = app.panes["timeline"]
        await pilot.press("3")
        assert app.panes["timeline"] is first


async def test_header_unsaved_marker_save_and_file(tmp_path, make_app, saved, screen_text):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        for part in ("API Service Degradation", "SEV1", "draft", "TTD 1min 22s", "TTM 16min", "TTR 34min"):
            assert part in header
        assert "unsaved" not in header
        await pilot.press("x")
        await pilot.pause()
        assert "● unsaved" in screen_text(app).splitlines()[0]
        before = app.document.path.read_text()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "unsaved" not in screen_text(app).splitlines()[0]
        assert app.document.path.read_text() != before
        assert len(saved(app).timeline) == 8
        assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*tmp*"))


async def test_palette_lists_pane_and_global_commands(make_app):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        provider = PmCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        for expected in ("timeline: add event", "timeline: mark detection", "timeline: filter",
                         "file: save", "edit: undo", "app: quit", "theme: pmtui-light"):
            assert expected in names
        await pilot.press("ctrl+p", *"timeline: delete")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.pm.timeline) == 8


async def test_help_lists_every_key_by_pane(make_app, screen_text):
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # Page through it as a reader would.
        text, last = screen_text(app), ""
        while last != screen_text(app):
            last = screen_text(app)
            await pilot.press("pagedown")
            await pilot.pause()
            text += screen_text(app)
        for expected in ("Same key, same meaning", "Everywhere", "Overview", "Timeline", "Add event",
                         "Mark resolution", "timeline.mark_resolution", "Save", "Undo", "Report", "Write report"):
            assert expected in text
        # ctrl+q is listed once (PmApp's, not Textual's own as well).
        assert text.count("Quit") == 1
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_with_unsaved_changes_asks(make_app, saved):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = app.document.path.read_text()
        await pilot.press("x", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("c")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, UnsavedScreen)
        await pilot.press("ctrl+q", "d")
        await pilot.pause()
    assert app.document.path.read_text() == before  # discarded
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("x", "ctrl+q", "s")
        await pilot.pause()
    assert len(saved(app).timeline) == 8


async def test_themes_chosen_remembered_and_bad_file_skipped(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "pmtui-dark"
        assert {"pmtui-dark", "pmtui-light", "pmtui-ansi"} <= set(app.pmtui_themes)
        app.choose_theme("pmtui-light")
        await pilot.pause()
    assert 'theme = "pmtui-light"' in locations.config_file().read_text()
    bad = locations.user_themes_dir()
    bad.mkdir(parents=True)
    (bad / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (bad / "garbage.toml").write_text("name = [\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "pmtui-light"
        messages = [str(n.message) for n in app._notifications]
        assert any("broken.toml" in m for m in messages) and any("garbage.toml" in m for m in messages)
    locations.config_file().write_text('theme = "gone"\n')
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "pmtui-dark"


async def test_no_color_respected(monkeypatch, make_app):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        svg = app.export_screenshot()
        assert "#5aa9e6" not in svg.lower()  # the dark theme's primary never shows


async def test_new_file_asks_for_a_title(tmp_path, screen_text):
    path = tmp_path / "new.toml"
    from pmtui.model import PostMortem

    app = PmApp(store.new_document(PostMortem(), path), ask_title=True, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "a title is needed" in screen_text(app)
        assert not path.exists()
        await pilot.press(*"Queue backlog", "enter")
        await pilot.pause()
        assert store.load(path).pm.title == "Queue backlog"


def test_unreadable_file_exits_2_with_one_clear_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\ntitle = "x"\nstatus = 7\n')
    result = CliRunner().invoke(main, [str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith("pmtui: ") and "Traceback" not in result.output
    assert "status" in result.stderr
    result = CliRunner().invoke(main, [str(tmp_path / "no-folder" / "x.toml")])
    assert result.exit_code == 2 and "does not exist" in result.stderr



def test_a_folder_opens_the_library(tmp_path, monkeypatch):
    # `pmtui DIR` opens the Library screen (run for real in
    # tests/integration/test_library_tmux.py); here only where it goes.
    from pmtui.cli import app as cli_app

    opened = []
    monkeypatch.setattr(cli_app, "open_library", lambda roots: opened.append(roots))
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 0 and opened == [[tmp_path]]


def test_demo_copies_and_leaves_the_example_alone(tmp_path, demo_file):
    before = demo_file.read_bytes()
    copy = copy_demo(tmp_path)
    assert copy.parent == tmp_path and copy.read_bytes() == before
    assert store.load(copy).pm.timeline
    assert demo_file.read_bytes() == before


def test_no_heavy_imports_before_first_frame(tmp_path, repo_root):
    script = textwrap.dedent(
        f"""
        import sys
        from pmtui.cli.app import copy_demo
        from pathlib import Path
        from pmtui import store
        from pmtui.ui.app import PmApp

        path = copy_demo(Path({str(tmp_path)!r}))
        app = PmApp(store.load(path), demo=True)
        heavy = []

        async def run():
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                await pilot.press("3")
                await pilot.pause()
                heavy.extend(m for m in ("kubernetes", "github", "httpx", "tomlkit") if m in sys.modules)

        import asyncio
        asyncio.run(run())
        print("HEAVY=" + ",".join(heavy))
        """
    )
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=repo_root,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY=\n" in out.stdout or out.stdout.strip().endswith("HEAVY=")


def test_plain_help_is_clicks_help_without_importing_click():
    env = dict(os.environ, COLUMNS="100")
    clicks = subprocess.run(
        [sys.executable, "-c", "from pmtui.cli import main; main(['--help'], prog_name='pmtui')"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert clicks.returncode == 0, clicks.stderr
    script = (
        "import sys\n"
        "sys.argv = ['pmtui', '--help']\n"
        "from pmtui.cli import run\n"
        "run()\n"
        "print('CLICK=' + str('click' in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    help_text, _, tail = out.stdout.rpartition("CLICK=")
    assert help_text == clicks.stdout
    assert tail.strip() == "False"
    # A narrow terminal gets click's own, narrower wrapping.
    env["COLUMNS"] = "60"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("Usage: pmtui") and out.stdout != help_text
