"""Fixtures of the ui layer: apps driven headless by a pilot, and
snapshots (their location is set in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import apps
from support.hostile import Hostile


@pytest.fixture(scope="session")
def demo_file(repo_root) -> Path:
    """The bundled demo incident in this checkout (never edited by a test)."""
    return repo_root / "examples" / "api-degradation.toml"


@pytest.fixture
def _apps(tmp_path, fixed_now, demo_file) -> apps.AppFactory:
    return apps.AppFactory(tmp_path, fixed_now, demo_file)


@pytest.fixture
def make_app(_apps):
    """make_app(pm=None, **app_options): a PmApp on a saved copy of `pm` (the
    procedure's example by default) in the test's tmp_path, with a fixed
    clock, local zone Europe/Berlin and no blinking cursor."""
    return _apps.saved_copy


@pytest.fixture
def demo_app(_apps):
    """demo_app(**app_options): a PmApp on a copy of the bundled demo incident."""
    return _apps.demo_copy


@pytest.fixture
def open_app(_apps):
    """open_app(pm, pane): a PmApp on `pm`, never saved, opened on `pane`."""
    return _apps.unsaved


@pytest.fixture(scope="session")
def demo_pm():
    """demo_pm(): a fresh copy of the demo incident built in code, the start
    of the Analysis, Actions and Report pane tests."""
    return apps.demo_pm


@pytest.fixture(scope="session")
def saved():
    """saved(app): the post-mortem as it is on disk now."""
    return apps.saved


@pytest.fixture(scope="session")
def settle():
    """await settle(pilot): until the timers, workers and refreshes
    triggered so far are done (also a snapshot's run_before)."""
    return apps.settle


@pytest.fixture(scope="session")
def until():
    """await until(pilot, check, what, timeout=15.0): let the app run until
    `check()` holds; fail saying `what`."""
    return apps.until


@pytest.fixture(scope="session")
def fill():
    """await fill(pilot, {field: value}, submit="enter"): fill the open
    form's fields and submit it."""
    return apps.fill


@pytest.fixture(scope="session")
def hostile() -> Hostile:
    """Hostile strings (hostile.strings: text, what a safe widget shows) and
    checks of what the app writes to the terminal (output, problems, visible)."""
    return Hostile()
