"""Fingerprints notice outside changes; backups keep the previous version;
atomic writes leave nothing behind."""

from __future__ import annotations

import os
import stat

from pmtui.filesafety.disk import backup, backup_path, changed_since, fingerprint, write_atomic


def test_fingerprint_notices_content_changes_only(tmp_path):
    p = tmp_path / "pm.toml"
    p.write_text("title = 'a'\n")
    fp = fingerprint(p)
    assert not changed_since(fp, p)
    os.utime(p, ns=(fp.mtime_ns + 5_000_000_000, fp.mtime_ns + 5_000_000_000))  # a touch
    assert not changed_since(fp, p)
    p.write_text("title = 'b'\n")  # same size, other bytes
    assert changed_since(fp, p)
    p.write_text("title = 'longer'\n")
    assert changed_since(fp, p)
    p.unlink()
    assert changed_since(fp, p)
    assert fingerprint(p) is None and not changed_since(None, p)
    p.write_text("x")
    assert changed_since(None, p)  # created by someone else after we started a new file


def test_backup_keeps_previous_version_across_atomic_replace(tmp_path):
    p = tmp_path / "pm.toml"
    p.write_text("v1\n")
    assert backup(p) == backup_path(p) == tmp_path / "pm.toml.bak"
    write_atomic(p, b"v2\n")
    assert backup_path(p).read_text() == "v1\n" and p.read_text() == "v2\n"
    backup(p)
    write_atomic(p, b"v3\n")
    assert backup_path(p).read_text() == "v2\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["pm.toml", "pm.toml.bak"]
    assert backup(tmp_path / "missing.toml") is None


def test_write_atomic_sets_mode_and_leaves_no_temp(tmp_path):
    p = tmp_path / "j.json"
    write_atomic(p, b"{}", mode=0o600)
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert [x.name for x in tmp_path.iterdir()] == ["j.json"]
