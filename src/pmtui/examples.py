"""The one place that knows where pmtui's bundled examples live: the demo
incident (`api-degradation.toml`), its recordings and anything beside it.

After `pip install` they are package data (pyproject force-includes
examples/ as pmtui/_examples); in a source checkout or an editable install
they are <repo>/examples. Both are tried, in that order.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

DEMO_NAME = "api-degradation.toml"
RECORDINGS = "demo-recordings"


def example_places(name: str) -> list[Path]:
    """Every place `name` may be, most likely first."""
    found: list[Path] = []
    try:
        packaged = resources.files("pmtui") / "_examples" / name
        if isinstance(packaged, Path):
            found.append(packaged)
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    # src/pmtui/examples.py -> <repo>/examples
    found.append(Path(__file__).resolve().parents[2] / "examples" / name)
    return found


def example_path(name: str = DEMO_NAME) -> Path:
    """The bundled file `name`; FileNotFoundError naming every place looked
    in when the installation lacks it."""
    places = example_places(name)
    for path in places:
        if path.is_file():
            return path
    raise FileNotFoundError(f"bundled example {name} not found (looked in: {', '.join(str(p) for p in places)})")


def recordings_dir() -> Path:
    """The demo incident's recorded server answers."""
    places = example_places(RECORDINGS)
    for place in places:
        if (place / "index.json").is_file():
            return place
    raise FileNotFoundError(f"demo recordings not found (looked in: {', '.join(map(str, places))})")


def copy_example(folder: Path, name: str = DEMO_NAME) -> Path:
    """Copy the example into `folder` (the demo edits a copy, never the
    packaged file) with every folder beside it named after it (its
    evidence and recordings); returns the copy's path."""
    source = example_path(name)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    stem = source.name.removesuffix(".toml")
    for sibling in source.parent.iterdir():
        if sibling.is_dir() and sibling.name.startswith(stem):
            shutil.copytree(sibling, folder / sibling.name)
    return target
