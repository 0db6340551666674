"""The Mermaid charts of `pmtui stats --md`, parsed by Mermaid itself
(mermaid.parse from the npm package, in Node, with jsdom for the DOM it
wants even to parse): every chart pmtui writes must be one GitHub can
draw, whatever the files hold.

tests/mermaid/ pins the packages (package.json + package-lock.json);
scripts/setup.sh installs them with `npm ci`. Skipped only where Node or
npm is missing or the install fails (the reason is printed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pmtui import model as m
from pmtui.library import summarise
from pmtui.library.mdout import stats_markdown
from pmtui.library.stats import compute

HERE = Path(__file__).resolve().parents[1] / "mermaid"
FENCE = re.compile(r"```mermaid\n(.*?)\n```", re.DOTALL)


@pytest.fixture(scope="session")
def mermaid_parse():
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not installed (apt-get install nodejs npm)")
    if not (HERE / "node_modules" / "mermaid").is_dir():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            pytest.skip(f"npm ci in {HERE} failed: {done.stderr.strip()[-300:]}")

    def parse(diagrams: list[str]) -> list[dict]:
        out = subprocess.run([node, str(HERE / "parse.mjs")], input=json.dumps(diagrams), capture_output=True,
                             text=True, timeout=120, check=True)
        return json.loads(out.stdout)

    return parse


def test_the_parser_refuses_a_broken_chart(mermaid_parse):
    got = mermaid_parse(["xychart-beta\n    x-axis [a b\n    bar [1,\n", "pie title X\n    \"a\" : 1\n"])
    assert got[0]["ok"] is False and got[1] == {"ok": True, "type": "pie"}


def _hostile_library() -> list:
    out = []
    start = datetime(2024, 11, 3, 10, tzinfo=UTC)
    names = ['quote " and ``` fence', "colon : semi ; hash # %% comment", "newline\nsplit", "emoji \U0001f525",
             "--> arrow", "} brace {", "\x1b[31mred"]
    for i, name in enumerate(names * 2):
        t = start + timedelta(days=17 * i)
        pm = m.PostMortem(id=f"PM-{i}", title=name, severity=name if i % 3 == 0 else "SEV2",
                          times=m.IncidentTimes(t, t + timedelta(minutes=3), t + timedelta(minutes=9),
                                                t + timedelta(minutes=40 + i)),
                          factors=[m.Factor("F1", "x", name)], services=[name],
                          actions=[m.ActionItem("AI-001", "x", status=name if i % 2 else "open",
                                                deadline=date(2025, 1, 1))])
        out.append(summarise(pm))
    return out


@pytest.mark.parametrize("since", [None, date(2025, 3, 1), date(2030, 1, 1)])
def test_every_chart_of_stats_md_parses(mermaid_parse, since):
    md = stats_markdown(compute(_hostile_library(), today=date(2025, 6, 1), since=since))
    charts = FENCE.findall(md)
    if since == date(2030, 1, 1):
        assert charts == []  # nothing to draw: no empty chart either
        return
    assert len(charts) == 4
    results = mermaid_parse(charts)
    assert [r["type"] for r in results if r["ok"]] == ["xychart", "xychart", "pie", "pie"], results
    assert all("```" not in c for c in charts)
