"""The bundled example: complete, in the exact file format, passing every
check, and found both in a source checkout and in an installed package."""

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pmtui import checks, report, store
from pmtui import examples as demo
from pmtui.model import EVENT_KINDS, FACTOR_CATEGORIES, PostMortem

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "api-degradation.toml"

# COMMON.md: the file format's names and the order of top-level scalars.
TOP_ORDER = [
    "schema", "id", "title", "status", "severity", "authors", "reviewers", "reviewed", "services", "follow_up",
    "shared", "incident_type", "sponsor", "runbooks", "review_meeting",
    "summary", "trigger", "root_cause", "immediate_cause", "problem", "shallow_reason",
    "systemic_issues", "went_well", "went_wrong", "lucky", "lessons", "prevention",
]
TABLES = {"times", "impact", "timeline", "whys", "factors", "actions", "sources", "evidence", "gaps", "export",
          "roles", "custom", "sections", "approvals", "shares"}
ROW_KEYS = {
    "timeline": {"time", "event", "source", "actor", "kind"},
    "whys": {"id", "parent", "text"},
    "factors": {"id", "category", "text", "why"},
    "actions": {"id", "action", "owner", "deadline", "priority", "type", "status", "labels", "factor",
                "tracker", "issue"},
    "gaps": {"source", "description", "window_start", "window_end"},
    "approvals": {"who", "at", "note"},
}


@pytest.fixture(scope="module")
def pm() -> PostMortem:
    return store.load(EXAMPLE).pm


def test_example_passes_every_check(pm):
    for now in (datetime(2025, 2, 10, 12, 0, tzinfo=UTC), datetime(2025, 2, 14, 23, 0, tzinfo=UTC)):
        results = checks.run(pm, now=now)
        assert {r.id for r in results} == {cid for cid, _, _ in checks.CHECKS}
        assert [(r.id, r.message) for r in results if r.result != "pass"] == []
    # Later, its open items are overdue, and nothing else changes.
    for now in (None, datetime(2030, 1, 1, tzinfo=UTC)):
        results = checks.run(pm, now=now)
        assert {r.id for r in results if r.result != "pass"} == {"actions.overdue"}


def test_example_uses_the_file_format_names_in_order():
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    scalars = [k for k in raw if k not in TABLES]
    assert scalars == [k for k in TOP_ORDER if k in raw]
    assert set(raw) - set(TOP_ORDER) <= TABLES
    for name, keys in ROW_KEYS.items():
        for row in raw.get(name, []):
            assert set(row) <= keys, (name, set(row) - keys)
    assert set(raw["times"]) == {"started", "detected", "mitigated", "resolved"}
    assert set(raw["impact"]) <= {"description", "failed_requests", "users_affected", "revenue", "data_lost"}
    assert set(raw["sources"]) <= {"window_start", "window_end", "prometheus", "alertmanager", "kubernetes", "loki",
                                   "files", "slack", "pagerduty"}
    assert set(raw["sources"]["prometheus"]) <= {"url", "auth", "token_env", "username_env", "password_env",
                                                "step", "queries"}
    assert set(raw["export"]) == {"github"}
    # Times in UTC with Z, written as TOML datetimes, never strings.
    assert all(ev["time"].tzinfo is not None and ev["time"].utcoffset().total_seconds() == 0
               for ev in raw["timeline"])
    assert "Z\n" in EXAMPLE.read_text() and "+00:00" not in EXAMPLE.read_text()


def test_example_is_rich(pm):
    assert pm.id == "PM-2025-02-09-api" and pm.status == "published"
    assert pm.incident_date == date(2025, 2, 9)
    assert 30 <= len(pm.timeline) <= 40
    assert {ev.kind for ev in pm.timeline} >= {"symptom", "detection", "escalation", "action", "mitigation",
                                              "resolution", "communication"}
    assert all(ev.kind in EVENT_KINDS and ev.source for ev in pm.timeline)
    assert sum(1 for ev in pm.timeline if ev.actor) >= 10
    assert {ev.time.date() for ev in pm.timeline} == {date(2025, 2, 9)}
    # A branching tree with one chain at least five deep.
    assert any(len(pm.why_children(w.id)) >= 2 for w in pm.whys)
    assert len(pm.why_children("")) >= 2
    assert max(len(c) for c in pm.why_chains()) >= 5
    # Factors across categories, each tied to a why that exists.
    why_ids = {w.id for w in pm.whys}
    assert len(pm.factors) >= 5
    assert len({f.category for f in pm.factors}) >= 5
    assert all(f.category in FACTOR_CATEGORIES and f.why in why_ids for f in pm.factors)
    assert len(pm.systemic_issues) >= 2
    # Six fully specified action items, each addressing a factor.
    factor_ids = {f.id for f in pm.factors}
    assert [a.id for a in pm.actions] == [f"AI-00{i}" for i in range(1, 7)]
    for a in pm.actions:
        assert a.owner.startswith("@") and a.deadline and a.priority and a.type and a.status
        assert a.factor in factor_ids and a.tracker.startswith("https://") and a.issue
    assert {a.priority for a in pm.actions} == {"high", "medium", "low"}
    for attr in ("went_well", "went_wrong", "lucky", "lessons"):
        assert len(getattr(pm, attr)) >= 3, attr
    assert pm.prevention and pm.summary and pm.root_cause and pm.trigger and pm.immediate_cause
    imp = pm.impact
    assert imp.failed_requests and imp.users_affected and imp.revenue and imp.data_lost is False
    assert pm.reviewed and pm.shared and pm.follow_up
    assert pm.sources.prometheus.url.startswith("http") and pm.sources.prometheus.queries
    assert pm.sources.alertmanager.url and pm.sources.kubernetes.deployment
    assert pm.gaps and pm.github.repo


def test_example_report_fills_every_section(pm, gfm):
    text = report.render(pm)
    assert report.EMPTY not in text and "Not recorded" not in text and "No data gaps" not in text
    assert "**Duration**: 1h 35min (10:05 - 11:40 UTC)" in text
    _durations, timeline, actions = gfm.tables(text)
    assert len(timeline.rows) == len(pm.timeline) and all(len(r) == 4 for r in timeline.rows)
    assert len(actions.rows) == 6 and all(len(r) == 6 for r in actions.rows)


def test_example_survives_a_fresh_write(tmp_path, pm):
    """Everything in the example is representable: written from the model
    alone and read back, nothing changes."""
    copy = tmp_path / "copy.toml"
    store.save(store.new_document(pm, copy))
    assert store.load(copy).pm == pm


# -- finding the example -------------------------------------------------------------


def test_example_path_in_a_source_checkout():
    assert demo.example_path() == EXAMPLE


def test_copy_example(tmp_path):
    dest = demo.copy_example(tmp_path / "demo")
    assert dest == tmp_path / "demo" / "api-degradation.toml"
    assert dest.read_bytes() == EXAMPLE.read_bytes()


def test_missing_example_names_where_it_looked():
    with pytest.raises(FileNotFoundError, match=r"no-such.toml.*looked in"):
        demo.example_path("no-such.toml")


_PROBE = (
    "from pmtui import examples as demo; import pmtui, sys; p = demo.example_path(); "
    "print(pmtui.__file__); print(p)"
)


def _probe(site: Path, cwd: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=cwd, env=env,
                         timeout=60, check=True)
    return out.stdout.splitlines()


def test_example_found_as_package_data_when_installed(tmp_path):
    """The installed layout (pyproject force-includes examples/ as
    pmtui/_examples), with no source checkout anywhere near."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "src" / "pmtui", site / "pmtui", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "pmtui" / "_examples").mkdir()
    shutil.copyfile(EXAMPLE, site / "pmtui" / "_examples" / EXAMPLE.name)
    module, path = _probe(site, tmp_path)
    assert Path(module).parent == site / "pmtui"
    assert Path(path) == site / "pmtui" / "_examples" / EXAMPLE.name


def test_example_in_a_built_wheel(tmp_path):
    pytest.importorskip("hatchling")
    build = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "dist")],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    module, path = _probe(site, tmp_path)
    assert Path(module).parent == site / "pmtui"
    assert Path(path) == site / "pmtui" / "_examples" / EXAMPLE.name
    checked = subprocess.run([sys.executable, "-m", "pmtui", "check", path, "--as-of", "2025-02-14"],
                             capture_output=True, text=True,
                             cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
