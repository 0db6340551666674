"""The Library screen, driven by the pilot on real folders of generated
post-mortems (broken and newer-schema files among them): rows as they
are read, filter and sort by the keyboard, details with related
incidents, charts, enter to open, inert text; snapshots at 80x24 and
160x48 (SVGs in snapshots/, update with --snapshot-update)."""

from __future__ import annotations

import importlib
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pmtui import model as m
from pmtui import store
from pmtui.library.views import sort_key
from pmtui.sample_library import add_bad_files, make_library
from pmtui.ui.library_app import LibraryApp
from pmtui.ui.screens.library import LibraryScreen, LibraryTable

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lib-corpus") / "lib"
    make_library(root, 40, events=(50, 60), per_folder=15)
    add_bad_files(root)
    return root


def app_for(root: Path, **kw) -> LibraryApp:
    return LibraryApp([root], now=lambda: NOW, workers=1, **kw)


async def loaded(pilot, timeout: float = 20.0) -> LibraryScreen:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = pilot.app.screen
        if isinstance(screen, LibraryScreen) and not screen.reading and screen.related is not None:
            await pilot.pause()
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the library never finished loading")


def table_of(screen: LibraryScreen) -> LibraryTable:
    return screen.query_one(LibraryTable)


async def test_rows_and_unreadable_files_with_their_error(corpus):
    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert len(screen.entries) == 43 and len(screen.view) == 43
        states = [e.state for e in screen.view]
        assert states[-3:] == ["broken", "newer", "broken"] or set(states[-3:]) == {"broken", "newer"}
        dates = [e.info.started for e in screen.view if e.summary is not None]
        assert dates == sorted(dates, reverse=True)
        table = table_of(screen)
        await pilot.press("end")
        bad = table.cursor_value
        assert bad.summary is None
        detail = str(screen.query_one("#library-detail").render())
        assert bad.problem.splitlines()[0] in detail
        title = str(screen.query_one("#library-title").render())
        assert "43 of 43 shown" in title and "3 unreadable" in title


async def test_filter_by_text_severity_status_service_and_dates(corpus):
    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"sev:SEV1", "enter")
        await pilot.pause(0.2)
        assert screen.view and all(e.info.severity == "SEV1" for e in screen.view)
        assert table_of(screen).has_focus
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert len(screen.view) == 43
        await pilot.press("slash", *"svc:redis status:draft from:2024-06 to:2025", "enter")
        await pilot.pause(0.2)
        for e in screen.view:
            assert "redis" in e.info.services and e.info.status == "draft"
            assert date(2024, 6, 1) <= e.info.day <= date(2025, 12, 31)
        await pilot.press("escape", "slash", *"certificate", "enter")
        await pilot.pause(0.2)
        assert screen.view and all("certificate" in e.info.title for e in screen.view)
        await pilot.press("escape", "slash", *"to:2025-13", "enter")
        await pilot.pause(0.2)
        assert "not a date" in str(screen.query_one("#library-title").render())


async def test_sort_keys_and_reverse(corpus):
    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("s")  # date -> severity
        await pilot.pause(0.1)
        assert screen.state.sort == "severity"
        key = sort_key("severity", NOW.date())
        assert [key(e) for e in screen.view] == sorted(key(e) for e in screen.view)
        await pilot.press("s", "s", "s", "s")  # status, title, open, overdue
        assert screen.state.sort == "overdue"
        late = [len(e.info.overdue_actions(NOW.date())) for e in screen.view if e.summary is not None]
        assert late == sorted(late, reverse=True)
        await pilot.press("r")
        late = [len(e.info.overdue_actions(NOW.date())) for e in screen.view if e.summary is not None]
        assert late == sorted(late)
        assert screen.view[-1].summary is None  # unreadable files stay last either way
        await pilot.press("S")
        assert screen.state.sort == "open"


async def test_rows_appear_as_they_are_read_and_keys_work_meanwhile(corpus, monkeypatch):
    """A slow disk: each file takes 30 ms. Rows reach the table while the
    rest is read, and the screen answers keys all along."""
    scan_mod = importlib.import_module("pmtui.library.scan")
    real = scan_mod.read_file

    def slow(path, now=None):
        time.sleep(0.03)
        return real(path, now)

    monkeypatch.setattr(scan_mod, "read_file", slow)
    app = app_for(corpus)
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        for _ in range(60):
            seen.append((screen.reading, len(table_of(screen).rows)))
            if not screen.reading:
                break
            await pilot.press("s")  # keys are handled while the rows come in
            await pilot.pause(0.05)
        assert any(reading and 0 < n < 43 for reading, n in seen), seen
        screen = await loaded(pilot)
        assert len(screen.view) == 43
        key = sort_key(screen.state.sort, NOW.date())
        good = [e for e in screen.view if e.summary is not None]
        expect = sorted(good, key=(lambda e: key(e)))
        if screen.state.reverse:
            expect.reverse()
        assert [e.path for e in good] == [e.path for e in expect]


async def test_details_show_related_and_ranked_suggestions(tmp_path):
    start = datetime(2025, 1, 5, 10, tzinfo=UTC)
    for pm_id, alert in (("PM-A", "PoolSaturation"), ("PM-B", "PoolSaturation"), ("PM-C", "DiskFull")):
        pm = m.PostMortem(id=pm_id, title=f"{pm_id} outage", services=["api"],
                          times=m.IncidentTimes(start, start, start, start),
                          timeline=[m.TimelineEvent(start, f"Alertmanager: alert {alert} started", kind="detection")],
                          related=["PM-C", "PM-ELSEWHERE"] if pm_id == "PM-A" else [])
        store.save(store.new_document(pm, tmp_path / f"{pm_id}.toml"))
    app = app_for(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("s", "s", "s", "s", "s", "s", "s")  # ... -> id
        assert screen.state.sort == "id" and table_of(screen).cursor_value.info.id == "PM-A"
        screen._detail()
        detail = str(screen.query_one("#library-detail").render())
        assert "Related: PM-C (PM-C outage), PM-ELSEWHERE" in detail
        assert "Maybe related: PM-B (alert PoolSaturation" in detail


async def test_enter_opens_and_a_broken_file_says_why(corpus):
    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("end", "enter")
        await pilot.pause(0.1)
        assert app.chosen is None and app.is_running
        await pilot.press("home", "enter")
        await pilot.pause(0.1)
    assert app.chosen == screen.view[0].path and app.return_value == app.chosen


async def test_state_comes_back_after_the_editor(corpus):
    from pmtui.ui.screens.library import LibraryState

    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"sev:SEV2", "enter", "s", "down", "down", "enter")
        await pilot.pause(0.1)
    state = app.state
    assert isinstance(state, LibraryState) and state.filter_text == "sev:SEV2" and state.sort == "severity"
    chosen = app.chosen
    again = app_for(corpus, state=state)
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert table_of(screen).cursor_value.path == chosen
        assert all(e.info.severity == "SEV2" for e in screen.view)


async def test_charts_screen(corpus):
    from pmtui.ui.screens.library_stats import LibraryStatsScreen
    from pmtui.ui.widgets.bars import BarChart

    app = app_for(corpus)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, LibraryStatsScreen):
                break
        assert isinstance(app.screen, LibraryStatsScreen)
        charts = {c.id: c for c in app.screen.query(BarChart)}
        assert set(charts) == {"chart-months", "chart-categories", "chart-services", "chart-alerts", "chart-actions"}
        assert "\u2588" in str(charts["chart-categories"].render())
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, LibraryScreen)


async def test_text_from_files_is_inert(tmp_path):
    start = datetime(2025, 1, 5, 10, tzinfo=UTC)
    pm = m.PostMortem(id="PM-X", title="[b]m[/] \x1b[31mr\x1b]52;c;SGk=\x07 ghp_Zx7Kq9mW2pL4tR8vB3nC6yH1jF5dG0sE7aQ2",
                      times=m.IncidentTimes(start, start, start, start))
    store.save(store.new_document(pm, tmp_path / "x.toml"))
    app = app_for(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(pilot)
        table = table_of(screen)
        line = "".join(seg.text for seg in table.render_line(1))
        assert "[b]m[/] \u241b[31mr" in line and "\x1b" not in line and "\x07" not in line
        detail = str(screen.query_one("#library-detail").render())
        assert "[b]m[/]" in detail and "\x1b" not in detail and "ghp_Zx7K" not in detail


# -- snapshots -----------------------------------------------------------------------------


@pytest.fixture
def snap_library(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_library(Path("lib"), 30, events=(50, 55), per_folder=12)
    add_bad_files(Path("lib"))
    return Path("lib")


async def _settle(pilot) -> None:
    await loaded(pilot)
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_library_snapshot(snap_compare, snap_library, size):
    assert snap_compare(app_for(snap_library), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_library_filtered_snapshot(snap_compare, snap_library, size):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"sev:SEV2 svc:auth", "enter", "s", "down")
        await pilot.pause(0.2)

    assert snap_compare(app_for(snap_library), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_library_charts_snapshot(snap_compare, snap_library, size):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        await pilot.press("c")
        await pilot.pause(0.5)

    assert snap_compare(app_for(snap_library), terminal_size=size, run_before=run_before)
