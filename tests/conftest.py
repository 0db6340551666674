"""What every layer of the suite shares: user dirs in a temp folder, a
fixed clock, the snapshot location, the layer markers, and the few
fixtures two layers use (the screen reader, planted secrets, the loopback
GitHub). Each layer's own fixtures are in its conftest.py:

    tests/unit/         pure functions                        pytest tests/unit   (or -m unit)
    tests/ui/           pilot and snapshot tests              pytest tests/ui     (or -m ui)
    tests/integration/  real servers, tmux, pty, subprocesses pytest tests/integration

The machinery behind the fixtures is in tests/support/; no test module
imports it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_textual_snapshot
from pytest_textual_snapshot import SVGImageExtension

from support import apps, github, secrets

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
LAYERS = ("unit", "ui", "integration")

FIXED_NOW = datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC)


# -- snapshots ------------------------------------------------------------------


class TopLevelSVGExtension(SVGImageExtension):
    """pytest-textual-snapshot's SVGs in the top-level snapshots/ folder (one
    sub-folder per test module) instead of __snapshots__/ beside the tests."""

    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(REPO / "snapshots" / test_location.basename)


# snap_compare looks this name up when called, so the patch takes effect.
pytest_textual_snapshot.SVGImageExtension = TopLevelSVGExtension


# -- layers ---------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer (its folder under tests/)."""
    for item in items:
        parts = item.path.resolve().relative_to(TESTS).parts
        if len(parts) > 1 and parts[0] in LAYERS:
            item.add_marker(parts[0])


# -- every test -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the real ~/.config, ~/.local/state or
    ~/.local/share; NO_COLOR from the developer's shell does not leak in."""
    base = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(base / name.lower()))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return base


@pytest.fixture(scope="session")
def fixed_now():
    """A clock stuck at 2025-02-10 09:00 UTC, for the app's injectable `now`
    (the day after the sample incident)."""
    return lambda: FIXED_NOW


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


# -- shared by two layers -------------------------------------------------------


@pytest.fixture(scope="session")
def screen_text():
    """screen_text(app): every character on screen, line by line."""
    return apps.screen_text


@pytest.fixture(scope="session")
def planted_secrets() -> secrets.PlantedSecrets:
    """Secrets to plant and the scanner that finds any 8-character run of one."""
    return secrets.PlantedSecrets()


@pytest.fixture
def fake_github():
    """fake_github(**options): a loopback GitHub REST server, started, on a
    free port (options as support.github.FakeGitHub); stopped after the test."""
    started: list[github.FakeGitHub] = []

    def start(**options) -> github.FakeGitHub:
        server = github.FakeGitHub(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def slack_export_dir(repo_root):
    """tests/data/slack-export: a workspace export in Slack's folder layout."""
    return repo_root / "tests" / "data" / "slack-export"


@pytest.fixture
def slack_export_zip(tmp_path, slack_export_dir):
    """The export fixture zipped as Slack delivers it (files at the zip's root)."""
    import zipfile

    path = tmp_path / "Acme Slack export Feb 8 2025 - Feb 9 2025.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(slack_export_dir.rglob("*.json")):
            z.write(f, f.relative_to(slack_export_dir).as_posix())
    return path


@pytest.fixture
def hostile_server():
    """hostile_server.start(kind, **options): a misbehaving loopback HTTP
    server (garbage, error_bytes, huge, drip, redirect, not_github,
    bad_samples; support/hostile_servers.py), recording what it received;
    stopped after the test."""
    from support import hostile_servers

    servers = hostile_servers.HostileServers()
    yield servers
    servers.stop_all()


@pytest.fixture
def only_loopback():
    """Fails the test at once if anything in this process opens a
    connection to an address outside loopback (a followed redirect to
    169.254.169.254 would): the audit hook refuses the connect itself, so
    no packet leaves the machine."""
    import ipaddress
    import sys

    state = {"on": True, "refused": []}

    def hook(event: str, args: tuple) -> None:
        if not state["on"] or event != "socket.connect":
            return
        address = args[1]
        host = address[0] if isinstance(address, tuple) else ""
        try:
            loop = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loop = host == "localhost"
        if isinstance(address, tuple) and not loop:
            state["refused"].append(host)
            raise ConnectionRefusedError(f"test: connect to non-loopback {host} refused")

    sys.addaudithook(hook)
    yield state["refused"]
    state["on"] = False
