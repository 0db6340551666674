"""Evidence files: redacted, atomic, checksummed, relative paths only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pmtui.sources.base import Context, Window
from pmtui.sources.evidence import safe_name, verify, write_evidence

WINDOW = Window(datetime(2025, 2, 9, 9, 35, tzinfo=UTC), datetime(2025, 2, 9, 11, 10, tzinfo=UTC))


def _ctx(tmp_path):
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_written_file_matches_record(tmp_path):
    ev = write_evidence(_ctx(tmp_path), "metrics", "prometheus", "prometheus/error_rate.json",
                        b'{"status":"success"}', query="sum(rate(x[5m]))")
    assert ev.path == "inc.evidence/prometheus/error_rate.json"
    data = (tmp_path / ev.path).read_bytes()
    assert data == b'{"status":"success"}'
    assert ev.sha256 == hashlib.sha256(data).hexdigest()
    assert ev.size == len(data)
    assert ev.window_start == WINDOW.start and ev.window_end == WINDOW.end
    assert ev.query == "sum(rate(x[5m]))"
    assert ev.fetched is not None and ev.fetched.tzinfo is not None
    assert verify(ev, tmp_path) is None
    # No temp file is left beside it.
    assert [p.name for p in (tmp_path / "inc.evidence/prometheus").iterdir()] == ["error_rate.json"]


def test_secrets_are_redacted_before_writing(tmp_path):
    secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    ev = write_evidence(_ctx(tmp_path), "logs", "kubernetes", "logs/api.log",
                        f"Authorization: Bearer {secret}\n".encode() + b"\xff\xfe raw\n",
                        query=f"url=https://u:{secret}@db/")
    data = (tmp_path / ev.path).read_bytes()
    assert secret.encode() not in data
    assert b"\xff\xfe raw" in data  # invalid UTF-8 is kept, not crashed on
    assert secret not in ev.query
    assert ev.sha256 == hashlib.sha256(data).hexdigest()


def test_names_from_outside_cannot_escape_the_folder(tmp_path):
    assert safe_name("../../etc/passwd") == "etc/passwd"
    assert safe_name("/abs/pod name;rm -rf") == "abs/pod_name_rm_-rf"
    assert safe_name("..") == "_"
    ev = write_evidence(_ctx(tmp_path), "logs", "kubernetes", "../../outside.log", b"x")
    assert (tmp_path / "inc.evidence/outside.log").read_bytes() == b"x"
    assert not (tmp_path.parent / "outside.log").exists()
    assert ".." not in ev.path and not ev.path.startswith("/")


def test_verify_reports_a_changed_file(tmp_path):
    ev = write_evidence(_ctx(tmp_path), "alerts", "alertmanager", "am/alerts.json", b"[]")
    (tmp_path / ev.path).write_bytes(b"[1]")
    assert "differs" in verify(ev, tmp_path)
    (tmp_path / ev.path).unlink()
    assert "cannot read" in verify(ev, tmp_path)
