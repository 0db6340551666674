"""Team conventions: .pmtui.toml found walking up from the post-mortem
(like .editorconfig), merged nearest-first, validated with file:line:col,
field and what was expected; a bad one never stops anything."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.examples import example_path
from pmtui.team import FILENAME, find_configs, load_team, loads_team

ORG = """\
# the organisation's conventions
[[severity]]
name = "P1"
description = "Customer-facing outage"
review_within_days = 3
sponsor_required = true

[[severity]]
name = "P2"
description = "Degraded"

[[fields]]
name = "customer_tier"
label = "Customer tier"
type = "choice"
choices = ["free", "pro", "enterprise"]
required = true

[checks]
share_within_hours = 24
why_depth = 4

[report]
template = "google-sre"
"""

TEAM = """\
root = true
[[roles]]
name = "incident_commander"
label = "Incident commander"
required = true

[checks]
why_depth = 3
"""


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / FILENAME).write_text(ORG)
    team = tmp_path / "org" / "team" / "2025" / "q1"
    team.mkdir(parents=True)
    (tmp_path / "org" / "team" / FILENAME).write_text(TEAM.replace("root = true\n", ""))
    return team


def test_found_walking_up_and_merged_nearest_first(tmp_path):
    folder = _tree(tmp_path)
    pm_file = folder / "incident.toml"
    found = find_configs(pm_file)
    assert found == [tmp_path / "org" / "team" / FILENAME, tmp_path / "org" / FILENAME]
    result = load_team(pm_file)
    assert result.problems == ()
    cfg = result.config
    assert [s.name for s in cfg.severities] == ["P1", "P2"]  # from the org
    assert [r.name for r in cfg.roles] == ["incident_commander"]  # from the team
    assert cfg.checks.why_depth == 3 and cfg.checks.share_within_hours == 24  # nearer wins, key by key
    assert cfg.report.template == "google-sre"
    assert cfg.review_within_days("P1") == 3 and cfg.review_within_days("P2") == 5


def test_root_true_stops_the_walk(tmp_path):
    folder = _tree(tmp_path)
    (tmp_path / "org" / "team" / FILENAME).write_text(TEAM)
    assert find_configs(folder) == [tmp_path / "org" / "team" / FILENAME]
    assert load_team(folder).config.severities[0].name == "SEV1"  # org's scale not read


def test_no_config_gives_the_defaults(tmp_path):
    result = load_team(tmp_path / "x.toml")
    assert result.config.files == () and result.problems == ()
    assert result.config.is_near_miss("near-miss") and result.config.checks.share_within_hours == 48


def test_problems_are_placed_and_defaults_used():
    text = """\
[[severity]]
name = "P1"
review_within_days = "three"

[[fields]]
name = "tier"
type = "colour"

[[fields]]
label = "no name"

[checks]
why_depth = 0
disable = ["language.blamless"]

[report]
template = "nasa"
"""
    result = loads_team(text, "conf/.pmtui.toml")
    lines = [p.format() for p in result.problems]
    assert "conf/.pmtui.toml:3:22: severity[0].review_within_days: expected a whole number of 1 or more, " \
           "got the string 'three'; default used" in lines
    assert any(line.startswith("conf/.pmtui.toml:7:8: fields[0].type: expected one of \"text\"") for line in lines)
    assert any(line.startswith("conf/.pmtui.toml:9:1: fields[1]: missing `name`") for line in lines)
    assert any(line.startswith("conf/.pmtui.toml:13:13: checks.why_depth:") for line in lines)
    assert any("checks.disable[0]: unknown check 'language.blamless'; did you mean 'language.blameless'?" in line
               and "warning" in line for line in lines)
    assert any(line.startswith("conf/.pmtui.toml:17:12: report.template: unknown template 'nasa'") for line in lines)
    cfg = result.config
    assert cfg.severities[0].review_within_days is None and cfg.fields[0].type == "text"
    assert len(cfg.fields) == 1 and cfg.checks.why_depth == 5 and cfg.report.template == "procedure"


def test_unknown_keys_are_kept_and_warned_about():
    result = loads_team('owner = "sre"\n[checks]\nwhy_dept = 4\n[new]\nseverity = "P2"\n')
    assert result.config.extra == {"owner": "sre"}
    warn = [p for p in result.problems if p.level == "warning"]
    assert [p.field for p in warn] == ["owner", "checks.why_dept"]
    assert "did you mean 'why_depth'?" in warn[1].message
    assert result.errors == () and result.config.new.severity == "P2"


def test_a_shared_config_never_chooses_where_credentials_go():
    result = loads_team('[publish]\nrepo = "acme/pm"\nbase_url = "https://evil.example/api"\n'
                        '[export]\ntoken = "ghp_x"\napi_url = "https://evil"\n')
    fields = {p.field for p in result.errors}
    assert fields == {"publish.base_url", "export.token", "export.api_url"}
    assert all("not allowed in a shared .pmtui.toml" in p.message for p in result.errors)
    assert result.config.publish.repo == "acme/pm"


def test_syntax_error_is_placed_and_nothing_else_is_lost(tmp_path):
    (tmp_path / FILENAME).write_text('[checks]\nwhy_depth = = 3\n')
    pm = tmp_path / "pm.toml"
    pm.write_bytes(example_path().read_bytes())
    result = load_team(pm)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.line, problem.column) == (2, 13) and "TOML syntax error" in problem.message
    assert result.config.checks.why_depth == 5  # defaults
    # The post-mortem still opens, and `pmtui check` still runs (the config problem shown)
    assert store.load(pm).pm.title
    res = CliRunner().invoke(main, ["check", str(pm), "--json"])
    data = json.loads(res.stdout)
    assert res.exit_code in (0, 1)
    assert data["team"]["problems"][0]["line"] == 2
    assert any(r["id"] == "team.conventions" and "TOML syntax error" in r["message"] for r in data["results"])


def test_binary_or_unreadable_config_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / FILENAME).write_bytes(b"\xff\xfe\x00garbage")
    result = load_team(tmp_path)
    assert "not UTF-8" in result.problems[0].message


def test_pmtui_team_shows_files_and_problems(tmp_path):
    folder = _tree(tmp_path)
    res = CliRunner().invoke(main, ["team", str(folder)])
    assert res.exit_code == 0, res.output
    assert "template: google-sre" in res.stdout and "Incident commander (required)" in res.stdout
    (tmp_path / "org" / FILENAME).write_text(ORG + "\n[invite]\nhour = 25\n")
    bad = CliRunner().invoke(main, ["team", str(folder), "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["problems"][0]["field"] == "invite.hour"


def test_new_uses_the_team_defaults_and_template(tmp_path):
    template = tmp_path / "template.toml"
    template.write_text('# our team\'s starting point\nschema = 1\ntitle = "x"\nreviewers = ["@lead"]\n\n'
                        '[custom]\ncustomer_tier = "free"  # change me\n')
    (tmp_path / FILENAME).write_text('[new]\ntemplate = "template.toml"\nseverity = "P2"\n'
                                     'incident_type = "near-miss"\n')
    target = tmp_path / "sub" / "pm.toml"
    target.parent.mkdir()
    res = CliRunner().invoke(main, ["new", str(target), "--title", "Queue backlog"])
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert "# our team's starting point" in text and "# change me" in text
    pm = store.loads(text).pm
    assert (pm.title, pm.severity, pm.incident_type, pm.reviewers) == ("Queue backlog", "P2", "near-miss", ["@lead"])
    assert pm.custom == {"customer_tier": "free"}
