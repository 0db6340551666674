"""Where the bundled example post-mortem lives.

After `pip install` it is package data (pyproject force-includes examples/
as pmtui/_examples); in a source checkout or editable install it is
<repo>/examples. Both are tried, in that order.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

EXAMPLE_NAME = "api-degradation.toml"


def example_places(name: str) -> list[Path]:
    found: list[Path] = []
    try:
        packaged = resources.files("pmtui") / "_examples" / name
        if isinstance(packaged, Path):
            found.append(packaged)
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    # src/pmtui/demo.py -> <repo>/examples
    found.append(Path(__file__).resolve().parents[2] / "examples" / name)
    return found


def example_path(name: str = EXAMPLE_NAME) -> Path:
    """The bundled example's path; FileNotFoundError naming every place
    looked in when the installation lacks it."""
    places = example_places(name)
    for path in places:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"bundled example {name} not found (looked in: {', '.join(str(p) for p in places)})"
    )


def copy_example(folder: Path, name: str = EXAMPLE_NAME) -> Path:
    """Copy the example into `folder` (the demo edits a copy, never the
    packaged file) and return the copy's path."""
    src = example_path(name)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / name
    shutil.copyfile(src, dest)
    return dest
