"""The import contracts (pyproject [tool.importlinter], run by lint-imports
in CI) name the domain's modules one by one; this keeps that list whole, so
a new module cannot slip past "the domain never imports Textual"."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pmtui

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# The two faces that may use Textual/Rich, and the entry point.
NOT_DOMAIN = {"pmtui.ui", "pmtui.cli", "pmtui.__main__"}


def _contract(name: str) -> dict:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["name"] == name]
    assert found, f"no import-linter contract named {name!r}"
    return found[0]


def test_the_domain_contract_names_every_module_but_the_ui_and_cli():
    modules = {f"pmtui.{m.name}" for m in pkgutil.iter_modules(pmtui.__path__)}
    domain = set(_contract("The domain never imports Textual or Rich")["source_modules"])
    assert domain == modules - NOT_DOMAIN


def test_the_store_contract_names_every_room_of_the_store():
    import pmtui.store

    rooms = {f"pmtui.store.{m.name}" for m in pkgutil.iter_modules(pmtui.store.__path__)}
    forbidden = set(_contract("Sources and export use the store only through its face")["forbidden_modules"])
    assert forbidden == rooms
