"""Report templates (the four presets, a team's order, headings and own
sections), the HTML export, the team's checklist, and sign-off."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from pmtui import report, store
from pmtui.cli import main
from pmtui.distribute import html, signoff
from pmtui.examples import example_path
from pmtui.model import Approval, PostMortem
from pmtui.team import loads_team, policy, templates
from pmtui.team.config import ReportSettings, TeamConfig

GFM = MarkdownIt("commonmark").enable("table").enable("strikethrough")
NOW = datetime(2025, 2, 10, 9, 0, tzinfo=UTC)


@pytest.fixture()
def pm() -> PostMortem:
    pm = store.load(example_path()).pm
    pm.custom = {"customer_tier": "enterprise", "pages": 3}
    pm.roles = {"incident_commander": ["@alice"], "scribe": ["@bob"]}
    pm.incident_type = "incident"
    return pm


def _headings(text: str, level: str = "h2") -> list[str]:
    tokens = GFM.parse(text)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == level]


@pytest.mark.parametrize("name", templates.PRESETS)
def test_every_preset_renders_gfm_with_its_sections(pm, name, gfm):
    team = TeamConfig(report=ReportSettings(template=name))
    text = templates.render(pm, team)
    tpl = templates.template_for(team)
    expected = [s.heading for s in tpl.sections if s.key != "header"]
    assert _headings(text) == expected
    assert _headings(text, "h1")[0].startswith("Post-Mortem: API Service Degradation")
    found = gfm.tables(text)
    assert found, "the timeline and action items are GFM tables"
    for table in found:
        assert table.rows and all(len(row) == len(table.header) for row in table.rows)
    assert any(t.header[:2] == ["Time (UTC)", "Event"] and len(t.rows) == len(pm.timeline) for t in found)
    assert any(t.header[0] == "ID" and [r[0] for r in t.rows] == [a.id for a in pm.actions] for t in found)


def test_presets_follow_their_public_templates():
    google = [s.heading for s in templates.presets()["google-sre"].sections]
    assert google[2:12] == ["Summary", "Impact", "Root Causes", "Trigger", "Resolution", "Detection", "Action Items",
                            "Lessons Learned", "Timeline (all times UTC)", "Supporting Information"]
    atl = [s.heading for s in templates.presets()["atlassian"].sections]
    for heading in ("Leadup", "Fault", "Detection", "Response", "Recovery", "Five Whys", "Backlog Check", "Recurrence",
                    "Corrective Actions"):
        assert heading in atl
    pd = [s.heading for s in templates.presets()["pagerduty"].sections]
    for heading in ("Overview", "What Happened", "Contributing Factors", "Resolution", "Responders", "How'd We Do?",
                    "Messaging"):
        assert heading in pd


def test_default_report_is_unchanged_without_team_data():
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    assert templates.render(pm) == report.render(pm)


def test_team_order_headings_and_own_sections(pm):
    team = loads_team("""
[report]
template = "procedure"
order = ["header", "summary", "impact", "timeline", "actions"]
[report.headings]
summary = "Executive summary"
[[report.sections]]
key = "customer_comms"
heading = "Customer communication"
after = "impact"
questions = ["Who told customers, and when?"]
""").config
    text = templates.render(pm, team)
    assert _headings(text) == ["Executive summary", "Impact", "Customer communication", "Timeline (all times UTC)",
                               "Action Items"]
    assert "Who told customers, and when?" in text
    pm.sections["customer_comms"] = "Status page at 10:20; email at 11:00."
    assert "Status page at 10:20; email at 11:00." in templates.render(pm, team)
    assert [s.key for s in templates.prose_sections(team)] == ["customer_comms"]


def test_details_show_team_data_escaped(pm):
    team = loads_team('[[fields]]\nname = "customer_tier"\nlabel = "Customer tier"\n[[roles]]\n'
                      'name = "incident_commander"\nlabel = "Incident commander"\n').config
    pm.custom["note"] = "<b>bold</b> *x* [link](javascript:alert(1))"
    pm.runbooks = ["https://wiki.example.com/rb", "ghp_Zq8xK2mP9vL4nR7tY3wB6cJ1hF5dG0sA2eQx"]
    text = templates.render(pm, team)
    assert "**Customer tier**: enterprise" in text and "**Incident commander**: @alice" in text
    html_out = GFM.render(text)
    assert "<b>bold</b>" not in html_out and 'href="javascript:' not in html_out
    assert "ghp_Zq8xK2mP9vL4nR7tY3wB6cJ1hF5dG0sA2eQx" not in text  # redacted


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for key, value in attrs:
            if key in ("src", "srcset") or (tag == "link" and key == "href"):
                self.external.append(f"{tag} {key}={value}")


def test_html_export_is_self_contained_and_escaped(pm):
    pm.summary = '<script>alert("x")</script> <img src="http://evil/x.png"> **bold**'
    pm.timeline[0].event = "<iframe src=//evil>"
    out = html.render(pm, TeamConfig(), generated=NOW)
    parser = _Assets()
    parser.feed(out)
    assert parser.external == []
    assert "script" not in parser.tags and "iframe" not in parser.tags and "img" not in parser.tags
    # Outside text is text: its tags and its Markdown arrive as typed.
    assert "&lt;script&gt;" in out and "**bold**" in out and "<strong>bold</strong>" not in out
    assert parser.tags.count("table") >= 3 and parser.tags.count("svg") == 2
    assert 'class="pmtui-whys"' in out and "Five whys, as a tree" in out


def test_report_cli_html_and_template(tmp_path):
    res = CliRunner().invoke(main, ["report", str(example_path()), "--format", "html"])
    assert res.exit_code == 0 and res.stdout.startswith("<!DOCTYPE html>")
    res = CliRunner().invoke(main, ["report", str(example_path()), "--template", "atlassian"])
    assert res.exit_code == 0 and "## Backlog Check" in res.stdout
    bad = CliRunner().invoke(main, ["report", str(example_path()), "--template", "nope"])
    assert bad.exit_code == 2 and "unknown template 'nope'" in bad.stderr


# -- the team's checklist ------------------------------------------------------------------------


def _ids(results, level):
    return {r.id for r in results if r.result == level}


def test_near_miss_relaxes_impact_and_detection(pm):
    pm.times.detected = pm.times.mitigated = None
    pm.impact.description = ""
    pm.timeline = [e for e in pm.timeline if e.kind not in ("detection", "mitigation")]
    plain = policy.run(pm, TeamConfig(), now=NOW)
    assert {"times.recorded", "timeline.complete"} <= _ids(plain, "fail") and "content.filled" in _ids(plain, "warn")
    pm.incident_type = "near-miss"
    relaxed = policy.run(pm, TeamConfig(), now=NOW)
    flagged = _ids(relaxed, "fail") | _ids(relaxed, "warn")
    assert not {"times.recorded", "timeline.complete", "content.filled"} & flagged


def test_thresholds_and_disabled_checks(pm):
    team = loads_team('[[severity]]\nname = "P1"\nreview_within_days = 3\nshare_within_hours = 4\n'
                      '[checks]\nwhy_depth = 7\ndisable = ["actions.tracked"]\n').config
    results = policy.run(pm, team, now=NOW)
    assert "actions.tracked" not in {r.id for r in results}
    assert "whys.depth" in _ids(results, "fail")
    shared = next(r for r in results if r.id == "report.shared")
    assert shared.result == "warn" and "target 4 h" in shared.message
    meeting = next(r for r in results if r.id == "review.meeting")
    assert "within 3 days" in meeting.message


def test_custom_fields_roles_sponsor_and_approvals(pm):
    team = loads_team("""
[[fields]]
name = "customer_tier"
type = "choice"
choices = ["free", "pro"]
required = true
[[fields]]
name = "region"
required = true
[[fields]]
name = "pages"
type = "number"
[[roles]]
name = "comms_lead"
required = true
""").config
    pm.sponsor = ""
    results = policy.run(pm, team, now=NOW)
    fields = [r.message for r in results if r.id == "fields.custom"]
    assert any("not one of free, pro" in m for m in fields) and any("Region: required" in m for m in fields)
    assert any(r.id == "roles.assigned" and r.result == "fail" for r in results)
    assert any(r.id == "actions.sponsor" and r.result != "pass" for r in results)
    pm.approvals = [a for a in pm.approvals if a.who != "@frank"]
    approvals = next(r for r in policy.run(pm, team, now=NOW) if r.id == "review.approvals")
    assert approvals.result == "fail" and "@frank" in approvals.message  # published without every sign-off


def test_approve_records_and_moves_status():
    pm = PostMortem(status="draft", reviewers=["@erin", "@frank"])
    out = signoff.approve(pm, "erin", NOW)
    assert (out.who, out.status_after, out.missing) == ("@erin", "in review", ("@frank",))
    later = NOW + timedelta(hours=1)
    again = signoff.approve(pm, "@erin", later, note="re-checked")
    assert again.renewed and pm.approvals == [Approval("@erin", later, "re-checked")]
    with pytest.raises(signoff.SignoffError, match="not a reviewer"):
        signoff.approve(pm, "@mallory", NOW)
    assert signoff.withdraw(pm, "@erin") and pm.approvals == []


def test_approve_cli_round_trips_the_file(tmp_path, monkeypatch):
    path = tmp_path / "pm.toml"
    text = example_path().read_text().replace('status = "published"', 'status = "draft"')
    text = re.sub(r"\n# Sign-off.*?(?=\n# ---)", "\n", text, flags=re.S)
    path.write_text(text)
    monkeypatch.setenv("PMTUI_NOW", "2025-02-10T16:00:00Z")
    res = CliRunner().invoke(main, ["approve", str(path), "--as", "@erin", "--note", "LGTM"])
    assert res.exit_code == 0, res.output
    assert "awaiting: @frank" in res.stdout
    after = path.read_text()
    assert after.count("\n") >= text.count("\n") and "# Post-mortem" not in after[:0]
    pm = store.loads(after).pm
    assert pm.status == "in review"
    assert pm.approvals == [Approval("@erin", datetime(2025, 2, 10, 16, tzinfo=UTC), "LGTM")]
    # Everything else byte for byte: only the status line and the new rows differ
    changed = [line for line in after.splitlines() if line not in text.splitlines()]
    assert changed[0] == 'status = "in review"            # draft | in review | published'
    assert all(line.startswith(("[[approvals]]", "who =", "at =", "note =", "#")) or not line for line in changed[1:])
    res = CliRunner().invoke(main, ["approve", str(path), "--as", "@frank"])
    assert "every reviewer has approved" in res.stdout
    nobody = CliRunner().invoke(main, ["approve", str(path), "--as", "@mallory"])
    assert nobody.exit_code == 2 and "not a reviewer" in nobody.stderr


def test_custom_field_parsing():
    from pmtui.team.config import FieldDef
    from pmtui.team.fields import parse

    assert parse(FieldDef("n", type="number"), "1,200") == 1200
    assert parse(FieldDef("n", type="number"), "2.5") == 2.5
    assert parse(FieldDef("c", type="choice", choices=("Free", "Pro")), "pro") == "Pro"
    assert parse(FieldDef("d", type="date"), "2025-02-16") == date(2025, 2, 16)
    assert parse(FieldDef("p", type="people"), "@a, @b") == ["@a", "@b"]
    for f, text in ((FieldDef("n", type="number"), "lots"), (FieldDef("c", type="choice", choices=("a",)), "b"),
                    (FieldDef("p", type="people"), "Alice Chen"), (FieldDef("t", required=True), "  ")):
        with pytest.raises(ValueError):
            parse(f, text)
    assert replace(FieldDef("x"), label="").title == "X"
