"""Unreadable and read-only files, for real: the loader, `pmtui check`,
`pmtui report`, `pmtui new` and a save run as an unprivileged user
(nobody, through `setpriv`), since root (the tests' and CI's user) can
read and write anything. Each gives one clear message naming the file,
and leaves every file as it was.

The unprivileged process cannot reach the virtualenv or the checkout (they
may sit under /root), so it runs the system Python on a copy of pmtui and
of the pure-Python packages the commands import, in a folder under /tmp
that it can read. Skipped only where that cannot work: no setpriv, no
system Python 3.11+, or not root (then the plain tests in
test_fuzz_loader cover the same ground as this user).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pmtui import store
from pmtui.sample import sample_postmortem

NOBODY = 65534
SETPRIV = shutil.which("setpriv")
SYSTEM_PYTHON = next((p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.access(p, os.X_OK)), None)


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "not root: cannot switch to another user (this user's own limits are tested in test_fuzz_loader)"
    if SETPRIV is None:
        return "setpriv (util-linux) is not installed"
    if SYSTEM_PYTHON is None:
        return "no system python3 that an unprivileged user can run"
    out = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                         capture_output=True, text=True)
    if out.stdout.strip() != "True":
        return f"{SYSTEM_PYTHON} is older than 3.11 (pmtui needs tomllib)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")

PROBE = """
import sys, pmtui.cli, pmtui.cli.doc, pmtui.store, pmtui.checks, pmtui.report
from pmtui import store
from pmtui.sample import sample_postmortem
store.dumps(store.new_document(sample_postmortem(), "x.toml"))
from pmtui.redact import redact
redact("token=x")  # the redactor's engine imports ahocorasick_rs on first use
roots = set()
for name, mod in list(sys.modules.items()):
    f = getattr(mod, "__file__", None) or ""
    if "site-packages" in f and "." not in name and not name.startswith("_"):
        roots.add(name)
print("\\n".join(sorted(roots)))
"""


@pytest.fixture(scope="module")
def lib():
    """pmtui and the pure-Python packages its commands import, copied where
    nobody can read them."""
    import importlib

    import pmtui

    top = Path(tempfile.mkdtemp(prefix="pmtui-unpriv-lib-"))
    top.chmod(0o755)
    shutil.copytree(Path(pmtui.__file__).parent, top / "pmtui", ignore=shutil.ignore_patterns("__pycache__"))
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    names = set(probe.stdout.split())
    names.add("tomlkit")  # the writer's fallback for edits the splicer leaves to it
    # Imported when first needed: the blame check's prefilter, the library's
    # reader and its .gitignore rules.
    names.update({"ahocorasick_rs", "rtoml", "pathspec"})
    for name in sorted(names):
        mod = importlib.import_module(name)
        src = Path(mod.__file__)
        if src.name == "__init__.py":
            shutil.copytree(src.parent, top / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, top / src.name)
    for folder, dirs, files in os.walk(top):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o755)
        for f in files:
            os.chmod(os.path.join(folder, f), 0o644)
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def place():
    """A folder nobody can reach (/tmp/x, 0755, owned by root)."""
    top = Path(tempfile.mkdtemp(prefix="pmtui-unpriv-"))
    top.chmod(0o755)
    yield top
    shutil.rmtree(top, ignore_errors=True)


def as_nobody(lib: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(lib), "HOME": str(cwd), "LANG": "C.UTF-8",
           "XDG_STATE_HOME": str(cwd / "state"), "XDG_CONFIG_HOME": str(cwd / "config"), "NO_COLOR": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", SYSTEM_PYTHON, *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, stdin=subprocess.DEVNULL)


LOAD = """
import sys
from pmtui import store
try:
    store.load(sys.argv[1])
except store.StoreError as exc:
    print(exc)
    sys.exit(3)
"""

SAVE = """
import json, sys
from pmtui import store
doc = store.load(sys.argv[1])
doc.pm.title = "changed by nobody"
try:
    store.save(doc)
except (OSError, store.StoreError) as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    sys.exit(3)
print(json.dumps({"saved": True}))
"""


def _pm_file(folder: Path, owner: int = 0, mode: int = 0o644) -> tuple[Path, bytes]:
    path = folder / "pm.toml"
    store.save(store.new_document(sample_postmortem(), path))
    os.chown(path, owner, owner)
    path.chmod(mode)
    return path, path.read_bytes()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_nobody_really_is_unprivileged(lib, place):
    done = as_nobody(lib, "-c", "import os; print(os.geteuid(), os.getegid(), os.getgroups())", cwd=place)
    assert done.stdout.split() == [str(NOBODY), str(NOBODY), "[]"], done.stderr


def test_unreadable_file_load_check_report(lib, place):
    path, before = _pm_file(place, mode=0o600)  # root's, and only root's
    done = as_nobody(lib, "-c", LOAD, str(path), cwd=place)
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == f"{path}: cannot read the file: Permission denied"
    for command in (["check"], ["check", "--json"], ["report"]):
        done = as_nobody(lib, "-m", "pmtui", *command, str(path), cwd=place)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert done.stderr.strip() == f"{path}: cannot read the file: Permission denied", command
        assert "Traceback" not in done.stderr and done.stdout == ""
    assert path.read_bytes() == before and _listing(place) == ["pm.toml"]


def test_read_only_folder_save_refused_file_kept(lib, place):
    # nobody's own file, writable, in a folder nobody cannot write.
    path, before = _pm_file(place, owner=NOBODY)
    done = as_nobody(lib, "-c", SAVE, str(path), cwd=place)
    assert done.returncode == 3, (done.stdout, done.stderr)
    err = json.loads(done.stdout)
    assert err["error"] == "PermissionError" and "Permission denied" in err["message"]
    assert path.read_bytes() == before
    assert _listing(place) == ["pm.toml"]  # no temporary file left behind


def test_read_only_file_in_writable_folder_is_not_replaced(lib, place):
    """The folder is nobody's, the file root's and read-only to nobody: a
    rename would replace it (the folder allows that), so the save must
    refuse on the file's own permission."""
    folder = place / "mine"
    folder.mkdir()
    os.chown(folder, NOBODY, NOBODY)
    path, before = _pm_file(folder, owner=0, mode=0o644)
    done = as_nobody(lib, "-c", SAVE, str(path), cwd=place)
    assert done.returncode == 3, (done.stdout, done.stderr)
    err = json.loads(done.stdout)
    assert err["error"] == "PermissionError" and "pm.toml" in err["message"], err
    assert "read-only file, not replaced" in err["message"]
    assert path.read_bytes() == before and os.stat(path).st_uid == 0
    assert _listing(folder) == ["pm.toml"]


def test_read_only_own_file_is_not_replaced(lib, place):
    """nobody's own file, chmod 444 (the user made it read-only on purpose)."""
    folder = place / "mine"
    folder.mkdir()
    os.chown(folder, NOBODY, NOBODY)
    path, before = _pm_file(folder, owner=NOBODY, mode=0o444)
    done = as_nobody(lib, "-c", SAVE, str(path), cwd=place)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert json.loads(done.stdout)["error"] == "PermissionError"
    assert path.read_bytes() == before and (os.stat(path).st_mode & 0o777) == 0o444


def test_cli_writes_into_read_only_folder_refused(lib, place):
    path, before = _pm_file(place)
    out = place / "report.md"
    done = as_nobody(lib, "-m", "pmtui", "report", str(path), "-o", str(out), cwd=place)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"{out}: Permission denied"
    done = as_nobody(lib, "-m", "pmtui", "new", str(place / "new.toml"), "--title", "x", cwd=place)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"{place / 'new.toml'}: Permission denied"
    assert path.read_bytes() == before and _listing(place) == ["pm.toml"]


def test_library_lists_an_unreadable_file_with_its_error(lib, place):
    """`pmtui ls` and `pmtui check DIR` as nobody: the file nobody may read
    is listed with why, the others read; check exits 2 (unusable input)."""
    from pmtui.sample_library import make_library

    make_library(place, 2, events=(50, 50))
    secret, _before = _pm_file(place, mode=0o600)
    for folder, _dirs, files in os.walk(place):
        os.chmod(folder, 0o755)
        for f in files:
            if os.path.join(folder, f) != str(secret):
                os.chmod(os.path.join(folder, f), 0o644)
    done = as_nobody(lib, "-m", "pmtui", "ls", str(place), "--json", cwd=place)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["post_mortems"]) == 2
    assert data["unreadable"] == [{"file": str(secret), "state": "unreadable",
                                   "problem": "cannot read the file: Permission denied"}]
    done = as_nobody(lib, "-m", "pmtui", "check", str(place), cwd=place)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{secret}: unreadable: cannot read the file: Permission denied" in done.stdout
