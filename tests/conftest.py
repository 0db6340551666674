"""Shared test set-up. Kept small: the snapshot location and what makes
app tests deterministic (user dirs in a temp folder, a fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import pytest_textual_snapshot

from snapshot_dir import TopLevelSVGExtension

# snap_compare looks this name up when called, so the patch takes effect.
pytest_textual_snapshot.SVGImageExtension = TopLevelSVGExtension

FIXED_NOW = datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the real ~/.config, ~/.local/state or
    ~/.local/share; NO_COLOR from the developer's shell does not leak in."""
    base = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(base / name.lower()))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return base


@pytest.fixture
def fixed_now():
    """A clock stuck at FIXED_NOW, for the app's injectable `now`."""
    return lambda: FIXED_NOW
