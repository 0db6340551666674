"""`pmtui export` with the team's mapping: priority -> label and person ->
GitHub login from .pmtui.toml, against the loopback GitHub."""

from __future__ import annotations

from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main


def test_team_labels_and_assignees(tmp_path, fake_github, make_pm):
    gh = fake_github()
    (tmp_path / ".pmtui.toml").write_text(
        '[[people]]\nhandle = "Carol Smith"\ngithub = "carol"\n'
        '[export]\nlabels = ["postmortem-2025"]\n[export.priority_labels]\nhigh = "P1"\n')
    path = tmp_path / "pm.toml"
    store.save(store.new_document(make_pm(), path))
    env = {"GITHUB_TOKEN": gh.token, "GH_TOKEN": None, "PATH": str(tmp_path)}
    res = CliRunner().invoke(main, ["export", str(path), "--base-url", gh.base_url, "--no-pace"], env=env)
    assert res.exit_code == 0, res.output
    issues = sorted(gh.issues.values(), key=lambda i: i.number)
    assert "P1" in issues[0].labels and "priority: high" not in issues[0].labels
    assert "postmortem-2025" in issues[0].labels and issues[0].assignees == ["bob"]
    assert issues[1].assignees == ["carol"] and "priority: medium" in issues[1].labels
