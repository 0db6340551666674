"""The fields team conventions bring (custom, roles, sections, runbooks,
sponsor, incident type, approvals, shares) round-trip byte for byte, and
an edit rewrites only its own lines."""

from __future__ import annotations

import difflib
import tomllib
from datetime import UTC, date, datetime

import pytest

from pmtui import store
from pmtui.model import Approval, PostMortem, Share

TEXT = """\
# hand-written, with comments and odd spacing
schema = 1
id = "PM-1"
title = "Checkout down"
incident_type   =  "near-miss"   # the team's type
sponsor = "@vp-eng"
runbooks = ["https://wiki.example/runbooks/db", "runbooks/cache.md"]
review_meeting = 2025-02-11T14:00:00Z
unknown_root = "kept"

[times]
started = 2025-02-09T10:05:23Z

[roles]
incident_commander = ["@alice"]   # IC
scribe = "@bob"                   # one person as a plain string is fine
comms_lead = [ "@carol" , "@dan" ]

[custom]
# the team's fields
customer_tier = "enterprise"
pages  = 3
cost = 1200.5
detected_on = 2025-02-09
teams = ["payments", "platform"]
"odd key" = "quoted key kept"

[sections]
customer_comms = \"\"\"
Status page updated at 10:20.
Email sent at 11:00.\"\"\"

[[actions]]
id = "AI-001"
action = "Add a pool saturation alert at 80% for 2 minutes"

[[approvals]]
who = "@carol"
at = 2025-02-10T09:00:00Z
note = "ok"   # the review note

[[shares]]
via = "pull-request"
url = "https://github.com/acme/pm/pull/4"
time = 2025-02-10T10:00:00Z
"""


def _diff(a: str, b: str) -> list[str]:
    return [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_reads_every_new_field():
    pm = store.loads(TEXT).pm
    assert pm.incident_type == "near-miss"
    assert pm.sponsor == "@vp-eng"
    assert pm.runbooks == ["https://wiki.example/runbooks/db", "runbooks/cache.md"]
    assert pm.review_meeting == datetime(2025, 2, 11, 14, 0, tzinfo=UTC)
    assert pm.roles == {"incident_commander": ["@alice"], "scribe": ["@bob"], "comms_lead": ["@carol", "@dan"]}
    assert pm.custom == {"customer_tier": "enterprise", "pages": 3, "cost": 1200.5, "detected_on": date(2025, 2, 9),
                         "teams": ["payments", "platform"], "odd key": "quoted key kept"}
    assert pm.sections == {"customer_comms": "Status page updated at 10:20.\nEmail sent at 11:00."}
    assert pm.approvals == [Approval("@carol", datetime(2025, 2, 10, 9, tzinfo=UTC), "ok")]
    shared = datetime(2025, 2, 10, 10, tzinfo=UTC)
    assert pm.shares == [Share("pull-request", "https://github.com/acme/pm/pull/4", shared)]


def test_unchanged_round_trip_is_byte_identical(tmp_path):
    path = tmp_path / "pm.toml"
    path.write_bytes(TEXT.encode())
    doc = store.load(path)
    assert store.dumps(doc) == TEXT
    store.save(doc)
    assert path.read_bytes() == TEXT.encode()


def test_edit_one_custom_value_touches_one_line():
    doc = store.loads(TEXT)
    doc.pm.custom["pages"] = 4
    out = store.dumps(doc)
    assert _diff(TEXT, out) == ["-pages  = 3", "+pages  = 4"]


def test_role_edited_in_place_is_seen_and_only_its_line_changes():
    doc = store.loads(TEXT)
    doc.pm.roles["incident_commander"].append("@erin")
    out = store.dumps(doc)
    assert _diff(TEXT, out) == ['-incident_commander = ["@alice"]   # IC',
                                '+incident_commander = ["@alice", "@erin"]   # IC']


def test_add_and_remove_custom_keys():
    doc = store.loads(TEXT)
    doc.pm.custom["region"] = "eu-west-1"
    del doc.pm.custom["cost"]
    out = store.dumps(doc)
    assert _diff(TEXT, out) == ["-cost = 1200.5", '+region = "eu-west-1"']
    assert tomllib.loads(out)["custom"]["region"] == "eu-west-1"
    assert store.loads(out).pm.custom["teams"] == ["payments", "platform"]


def test_approval_appended_and_section_text_edited():
    doc = store.loads(TEXT)
    doc.pm.approvals.append(Approval("@dan", datetime(2025, 2, 10, 12, 30, tzinfo=UTC)))
    doc.pm.sections["customer_comms"] = "Status page updated at 10:20."
    out = store.dumps(doc)
    back = store.loads(out).pm
    assert [a.who for a in back.approvals] == ["@carol", "@dan"]
    assert back.sections["customer_comms"] == "Status page updated at 10:20."
    assert 'note = "ok"   # the review note' in out  # the first approval's block untouched
    assert "# the team's fields" in out and "unknown_root = \"kept\"" in out


def test_new_tables_land_in_canonical_places():
    pm = PostMortem(id="PM-2", title="t")
    doc = store.new_document(pm, None)
    text = store.dumps(doc)
    doc = store.loads(text)
    doc.pm.custom["customer_tier"] = "pro"
    doc.pm.roles["scribe"] = ["@bob"]
    doc.pm.sponsor = "@vp"
    doc.pm.approvals.append(Approval("@carol", datetime(2025, 2, 10, 9, tzinfo=UTC)))
    out = store.dumps(doc)
    data = tomllib.loads(out)
    assert data["custom"] == {"customer_tier": "pro"} and data["roles"] == {"scribe": ["@bob"]}
    assert data["sponsor"] == "@vp" and data["approvals"][0]["who"] == "@carol"
    assert out.index("[roles]") < out.index("[custom]") < out.index("[[approvals]]")
    assert out.index("[impact]") < out.index("[roles]")
    again = store.loads(out)
    assert store.dumps(again) == out


def test_fresh_file_with_team_fields_reads_back_equal():
    pm = PostMortem(id="PM-3", title="t", incident_type="near-miss", runbooks=["rb.md"],
                    custom={"tier": "pro", "n": 2, "when": date(2025, 1, 2), "who": ["@a"]},
                    roles={"scribe": ["@b"]}, sections={"extra": "line one\nline two"},
                    approvals=[Approval("@c", datetime(2025, 2, 10, tzinfo=UTC))],
                    shares=[Share("issue", "https://x/1", datetime(2025, 2, 10, tzinfo=UTC))])
    text = store.dumps(store.new_document(pm, None))
    back = store.loads(text).pm
    for name in ("incident_type", "runbooks", "custom", "roles", "sections", "approvals", "shares"):
        assert getattr(back, name) == getattr(pm, name), name


@pytest.mark.parametrize(("snippet", "field", "expected"), [
    ("[custom]\nx = {a = 1}\n", "custom.x", "expected text, a number, a date or a list of names"),
    ("[custom]\nx = [1, 2]\n", "custom.x", "expected text, a number, a date or a list of names"),
    ("[roles]\nscribe = 3\n", "roles.scribe", "expected an array of strings"),
    ("[sections]\nextra = 3\n", "sections.extra", "expected the section's text in quotes"),
    ("[[approvals]]\nwho = \"@a\"\n", "approvals[0]", "missing `at`"),
])
def test_bad_values_are_placed(snippet, field, expected):
    with pytest.raises(store.StoreError) as err:
        store.loads("schema = 1\n" + snippet)
    problem = err.value.problems[0]
    assert problem.field == field and expected in problem.message and problem.line >= 2


def test_tomlkit_path_keeps_custom_edits():
    # custom values held in an inline table at the root: the splicer hands over to tomlkit
    text = 'schema = 1\ntitle = "t"  # keep me\ncustom = { tier = "pro", n = 1 }\n'
    doc = store.loads(text)
    assert doc.pm.custom == {"tier": "pro", "n": 1}
    doc.pm.custom["n"] = 2
    out = store.dumps(doc)
    assert "# keep me" in out
    assert store.loads(out).pm.custom == {"tier": "pro", "n": 2}
