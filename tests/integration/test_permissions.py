"""Issue 16, finding 4: under umask 022, a 0600 post-mortem got world-readable
evidence (0755 folders, 0644 files), report and recovered copy. Everything
written beside a post-mortem takes no wider permissions than it has; the
journal and lock stay private (0600 in 0700 folders)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli.group import main
from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.sample import sample_postmortem


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def private_pm(tmp_path, umask_022) -> Path:
    path = tmp_path / "incident.toml"
    store.save(store.new_document(sample_postmortem(), path))
    os.chmod(path, 0o600)
    return path


def test_everything_beside_a_0600_post_mortem_is_0600(private_pm, tmp_path):
    res = CliRunner().invoke(main, ["collect", str(private_pm), "--prometheus", "demo:", "--alertmanager", "demo:",
                                    "--accept"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    evidence = tmp_path / "incident.evidence"
    files = [p for p in evidence.rglob("*") if p.is_file()]
    folders = [evidence, *(p for p in evidence.rglob("*") if p.is_dir())]
    assert files and folders
    assert {(p.name, _mode(p)) for p in files} == {(p.name, 0o600) for p in files}
    assert {_mode(p) for p in folders} == {0o700}
    assert _mode(private_pm) == 0o600  # the save kept it
    backup = private_pm.with_name("incident.toml.bak")
    assert backup.exists() and _mode(backup) == 0o600

    out = tmp_path / "report.md"
    res = CliRunner().invoke(main, ["report", str(private_pm), "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0 and _mode(out) == 0o600


def test_a_recovered_copy_is_as_private_as_the_post_mortem(private_pm):
    journal = Journal(private_pm)
    journal.write(private_pm.read_text() + "\n# an unsaved edit\n")
    assert _mode(journal.file) == 0o600 and _mode(journal.file.parent) == 0o700
    recovery = find_recovery(private_pm)
    assert recovery is not None
    copy = recovery.keep_both()
    assert _mode(copy) == 0o600


def test_a_0644_post_mortem_keeps_the_umask_bits(tmp_path, umask_022):
    path = tmp_path / "open.toml"
    store.save(store.new_document(sample_postmortem(), path))
    os.chmod(path, 0o644)
    res = CliRunner().invoke(main, ["collect", str(path), "--prometheus", "demo:"], catch_exceptions=False)
    assert res.exit_code == 0
    assert {_mode(p) for p in (tmp_path / "open.evidence").rglob("*") if p.is_file()} == {0o644}


def test_a_predictable_backup_name_taken_by_someone_else_cannot_stop_a_save(private_pm):
    """Finding 5: `.NAME.toml.bak.<pid>.tmp` pre-created by another user in a
    sticky folder made every save crash; the name is random now, and any
    failure is a message."""
    from pmtui.filesafety.disk import backup

    squatted = private_pm.with_name(f".incident.toml.bak.{os.getpid()}.tmp")
    squatted.mkdir()  # what a hostile user could leave
    assert backup(private_pm) == private_pm.with_name("incident.toml.bak")
    assert squatted.is_dir()  # untouched
    before = private_pm.read_bytes()
    private_pm.with_name("incident.toml.bak").unlink()
    private_pm.with_name("incident.toml.bak").mkdir()  # a backup that cannot be replaced
    with pytest.raises(OSError) as info:
        backup(private_pm)
    assert "backup not written" in str(info.value) and "incident.toml.bak" in str(info.value)
    assert private_pm.read_bytes() == before
