"""Keep pytest-textual-snapshot's SVGs in the top-level snapshots/ folder
(one sub-folder per test module) instead of __snapshots__/ beside the tests."""

from __future__ import annotations

from pathlib import Path

from pytest_textual_snapshot import SVGImageExtension

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshots"


class TopLevelSVGExtension(SVGImageExtension):
    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(SNAPSHOT_DIR / test_location.basename)
