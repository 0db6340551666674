"""Helpers for the app's pilot and snapshot tests."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pmtui import store
from pmtui.sample import sample_postmortem
from pmtui.ui.app import PmApp

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "api-degradation.toml"
FIXED_NOW = datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def make_app(tmp_path: Path, pm=None, **kwargs) -> PmApp:
    """An app on a saved copy of `pm` (the procedure's example by default),
    with a fixed clock, local zone and no blinking cursor."""
    path = tmp_path / "incident.toml"
    store.save(store.new_document(pm if pm is not None else sample_postmortem(), path))
    kwargs.setdefault("now", lambda: FIXED_NOW)
    kwargs.setdefault("local_zone", BERLIN)
    kwargs.setdefault("blink", False)
    return PmApp(store.load(path), **kwargs)


def demo_app(tmp_path: Path, **kwargs) -> PmApp:
    """An app on a copy of the bundled demo incident."""
    path = tmp_path / DEMO.name
    shutil.copyfile(DEMO, path)
    kwargs.setdefault("now", lambda: FIXED_NOW)
    kwargs.setdefault("local_zone", BERLIN)
    kwargs.setdefault("blink", False)
    return PmApp(store.load(path), **kwargs)


def saved(app: PmApp):
    """The post-mortem as it is on disk now."""
    return store.load(app.document.path).pm


def screen_text(app) -> str:
    """Every character on screen, line by line: what a person would read."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
