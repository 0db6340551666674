"""The TOML file: reading, precise errors, minimal-diff saves, atomic writes."""

from __future__ import annotations

import difflib
import os
import stat
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, timedelta

import pytest

from pmtui import model as m
from pmtui import store


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """(lines removed from old, lines added in new)."""
    removed, added = [], []
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old.splitlines()[i1:i2]
            added += new.splitlines()[j1:j2]
    return removed, added


@pytest.fixture
def edited(hand_written):
    """edited(mutate, text=the hand-written file): the text saved after
    mutate(pm), and its document; the saved text must read back the same."""

    def edit(mutate, text: str = hand_written) -> tuple[str, store.Document]:
        doc = store.loads(text)
        mutate(doc.pm)
        out = store.dumps(doc)
        assert store.loads(out).pm == doc.pm
        return out, doc

    return edit


def problems_of(text: str) -> list[store.Problem]:
    with pytest.raises(store.StoreError) as info:
        store.loads(text, path="pm.toml")
    return info.value.problems


# -- reading -----------------------------------------------------------------------


def test_hand_written_file_reads_into_the_model(hand_written):
    pm = store.loads(hand_written).pm
    assert pm.title == "API degradation: connection pool exhausted"
    assert pm.status == "in review"
    assert pm.summary == "Checkout API returned 5xx for 35 minutes.\nThe pool was exhausted."
    assert pm.trigger == "deploy v2.3.0"
    assert pm.went_well == ["Alert fired within 90 s", "Rollback was quick"]
    assert pm.times.detected == datetime(2025, 2, 9, 10, 6, 45, tzinfo=UTC)
    assert pm.impact.failed_requests == 12000 and pm.impact.data_lost is False
    assert [e.kind for e in pm.timeline] == ["symptom", "escalation", "action"]
    assert pm.timeline[1].time == datetime(2025, 2, 9, 10, 8, 12, 250000, tzinfo=UTC)
    assert pm.timeline[2].event == 'Engineer "acknowledges"\nthe alert'
    assert pm.whys[1].parent == "W1"
    assert pm.factors[1].category == "our-own-category"
    assert pm.actions[0].deadline == date(2025, 2, 16) and pm.actions[0].labels == ["db"]
    assert pm.sources.prometheus.token_env == "PROM_TOKEN"
    assert pm.sources.prometheus.queries == {"error_rate": 'sum(rate(http_requests_total{code=~"5.."}[5m]))'}


def test_fast_timeline_reader_agrees_with_tomllib_on_every_layout():
    rows = [
        'time = 2025-02-09T10:05:23Z\nevent = "plain"\n',
        'time = 2025-02-09t12:05:23.5+02:00\nevent = "lower t, offset"\nkind = "action"\n',
        "time = 2025-02-09 10:05:23.123456789z\nevent = 'literal string'\n",
        'time = 2025-02-09T10:05:23Z\nevent = "esc \\" \\\\ \\t \\u00e9 \\U0001F600"  # c\n',
        '  time   =   2025-02-09T10:05:24Z\n\n# inner comment\nevent = """multi\nline"""\nextra = 3\n',
        'time = 2025-02-09T10:05:25Z\nevent = "café — ☕"\nsource = ""\nactor = "@a"\n',
    ]
    text = "schema = 1\n\n" + "\n".join("[[timeline]]\n" + r for r in rows)
    expected = tomllib.loads(text)["timeline"]
    pm = store.loads(text).pm
    assert len(pm.timeline) == len(expected)
    for got, want in zip(pm.timeline, expected, strict=True):
        assert got.time == want["time"].astimezone(UTC)
        assert got.time.tzinfo is UTC
        assert got.event == want["event"]
        assert got.kind == want.get("kind", "other")


def test_missing_schema_is_read_as_schema_1():
    assert store.loads('title = "t"\n').pm.schema == 1


def test_crlf_and_bom_files_round_trip_and_edit_in_their_own_style(hand_written):
    text = "\ufeff" + hand_written.replace("\n", "\r\n")
    doc = store.loads(text)
    assert store.dumps(doc) == text
    doc.pm.timeline.append(m.TimelineEvent(datetime(2025, 2, 9, 11, tzinfo=UTC), "late", kind="other"))
    doc.pm.lessons = ["one\ntwo"]
    out = store.dumps(doc)
    assert out.startswith("\ufeff")
    assert "\n" not in out.replace("\r\n", "")
    assert store.loads(out).pm == doc.pm


# -- saving: unchanged bytes, minimal diffs --------------------------------------------


def test_unchanged_file_saves_identical_bytes(tmp_path, hand_written):
    path = tmp_path / "pm.toml"
    path.write_text(hand_written, encoding="utf-8")
    store.save(store.load(path))
    assert path.read_text(encoding="utf-8") == hand_written


def test_one_field_changes_only_its_line_keeping_key_spacing_and_comment(hand_written, edited):
    out, _ = edited(lambda pm: setattr(pm, "title", "New title"))
    assert changed_lines(hand_written, out) == (
        ['title   =   "API degradation: connection pool exhausted"'],
        ['title   =   "New title"'],
    )
    out, _ = edited(lambda pm: setattr(pm.times, "detected", datetime(2025, 2, 9, 10, 7, tzinfo=UTC)))
    assert changed_lines(hand_written, out) == (
        ["detected = 2025-02-09T10:06:45Z # from Prometheus"],
        ["detected = 2025-02-09T10:07:00Z # from Prometheus"],
    )


def test_multi_line_value_replaced_as_a_whole(hand_written, edited):
    out, _ = edited(lambda pm: setattr(pm, "summary", "Short."))
    removed, added = changed_lines(hand_written, out)
    assert added == ['summary = "Short."']
    assert removed == ['summary = """', "Checkout API returned 5xx for 35 minutes.", 'The pool was exhausted."""']


def test_cleared_optional_field_removes_its_line_and_new_one_is_added_in_order(hand_written, edited):
    out, _ = edited(lambda pm: setattr(pm.times, "detected", None))
    assert changed_lines(hand_written, out) == (["detected = 2025-02-09T10:06:45Z # from Prometheus"], [])
    out, _ = edited(lambda pm: setattr(pm, "reviewed", date(2025, 3, 1)))
    assert changed_lines(hand_written, out) == ([], ["reviewed = 2025-03-01"])
    lines = out.splitlines()
    assert lines.index("reviewed = 2025-03-01") == lines.index('authors = ["@alice", "@bob"]') + 1


def test_row_edit_keeps_the_rows_unknown_keys_and_comments(hand_written, edited):
    out, _ = edited(lambda pm: setattr(pm.timeline[1], "event", "Paged"))
    assert changed_lines(hand_written, out) == (['event = "On-call engineer paged"'], ['event = "Paged"'])
    assert 'ticket = "PD-123"' in out and "[[timeline]]  # the page" in out
    out, _ = edited(lambda pm: setattr(pm.actions[0], "status", "done"))
    assert changed_lines(hand_written, out) == (['status = "open"'], ['status = "done"'])
    assert 'jira = "OPS-7"  # unknown key' in out


def test_adding_removing_and_reordering_rows_touch_only_those_rows(hand_written, edited):
    new = m.TimelineEvent(datetime(2025, 2, 9, 10, 9, tzinfo=UTC), "Inserted", "manual", "", "action")
    out, _ = edited(lambda pm: pm.timeline.insert(2, new))
    removed, added = changed_lines(hand_written, out)
    assert removed == []
    assert [a for a in added if a] == [
        "[[timeline]]",
        "time = 2025-02-09T10:09:00Z",
        'event = "Inserted"',
        'source = "manual"',
        'kind = "action"',
    ]
    out, _ = edited(lambda pm: pm.timeline.pop(1))
    removed, added = changed_lines(hand_written, out)
    assert added == [] and "ticket = \"PD-123\"" in removed and 'event = "First 5xx errors appear"' not in removed
    out, doc = edited(lambda pm: pm.timeline.reverse())
    assert out.count("[[timeline]]") == 3 and "# the human part" in out
    assert [e.event for e in store.loads(out).pm.timeline] == [e.event for e in doc.pm.timeline]


def test_rows_replaced_by_equal_copies_keep_their_text(hand_written, edited):
    import copy

    out, _ = edited(lambda pm: setattr(pm, "timeline", [copy.copy(e) for e in pm.timeline]))
    assert out == hand_written


def test_new_sections_go_in_canonical_places(hand_written, edited):
    # after the last section pmtui knows; a section it does not know stays last
    out, _ = edited(lambda pm: setattr(pm.github, "repo", "acme/api"))
    assert changed_lines(hand_written, out) == ([], ["[export.github]", 'repo = "acme/api"', ""])
    assert out.endswith('[export.github]\nrepo = "acme/api"\n\n[mystery]\nx = 1\n')
    out, _ = edited(lambda pm: setattr(pm.sources.alertmanager, "url", "http://am:9093"))
    lines = out.splitlines()
    assert lines.index("[sources.alertmanager]") < lines.index("[mystery]")
    assert lines.index("[sources.alertmanager]") > lines.index("[sources.prometheus.queries]")


def test_query_table_edits_by_name(hand_written, edited):
    def change(pm):
        pm.sources.prometheus.queries["latency"] = "histogram_quantile(0.99, x)"

    out, _ = edited(change)
    assert changed_lines(hand_written, out) == ([], ['latency = "histogram_quantile(0.99, x)"'])


def test_an_empty_named_query_is_written_and_read_back(hand_written, edited):
    out, _ = edited(lambda pm: pm.sources.prometheus.queries.update(latency=""))
    assert changed_lines(hand_written, out) == ([], ['latency = ""'])
    doc = store.loads('title = "t"\n')
    doc.pm.sources.prometheus.queries["empty"] = ""
    assert store.loads(store.dumps(doc)).pm.sources.prometheus.queries == {"empty": ""}


def test_inline_layout_falls_back_to_tomlkit_and_keeps_comments(edited):
    text = '# keep me\ntitle = "t"  # and me\ntimes = { started = 2025-02-09T10:00:00Z }\n'
    out, _ = edited(lambda pm: setattr(pm.times, "resolved", datetime(2025, 2, 9, 11, tzinfo=UTC)), text)
    assert "# keep me" in out and "# and me" in out
    assert store.loads(out).pm.times.resolved == datetime(2025, 2, 9, 11, tzinfo=UTC)


def test_fresh_document_shows_where_to_type_and_reads_back():
    pm = m.PostMortem(id="PM-1", title="t")
    text = store.dumps(store.new_document(pm, None))
    for key in ("summary", "trigger", "root_cause", "prevention", "went_well", "description"):
        assert any(line.startswith(f"{key} = ") for line in text.splitlines()), key
    assert store.loads(text).pm == pm
    # the first timeline row goes under the commented example
    doc = store.loads(text)
    doc.pm.timeline.append(m.TimelineEvent(datetime(2025, 2, 9, 10, tzinfo=UTC), "first", kind="symptom"))
    out = store.dumps(doc)
    assert out.index('# kind = "symptom"') < out.index("\n[[timeline]]") < out.index("# Five whys, stored flat")
    assert changed_lines(text, out)[0] == []


# -- saving: the file on disk ----------------------------------------------------------


def test_save_is_atomic_keeps_mode_and_records_the_stamp(tmp_path, hand_written):
    path = tmp_path / "pm.toml"
    path.write_text(hand_written, encoding="utf-8")
    os.chmod(path, 0o640)
    doc = store.load(path)
    assert doc.stamp.size == len(hand_written.encode())
    doc.pm.title = "Edited"
    store.save(doc)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pm.toml"]
    data = path.read_bytes()
    import hashlib

    assert doc.stamp.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.stamp.mtime_ns == path.stat().st_mtime_ns
    # the document now describes the saved text: a second edit diffs from it
    doc.pm.severity = "SEV1"
    store.save(doc)
    assert changed_lines(data.decode(), path.read_text())[1] == ['severity = "SEV1"']


def test_save_to_a_new_path(tmp_path):
    doc = store.new_document(m.PostMortem(title="x"), tmp_path / "a.toml")
    store.save(doc, tmp_path / "b.toml")
    assert doc.path == tmp_path / "b.toml"
    assert store.load(tmp_path / "b.toml").pm.title == "x"
    assert not (tmp_path / "a.toml").exists()


# -- errors ----------------------------------------------------------------------------


def test_naive_datetime_error_names_file_line_column_field(hand_written):
    text = hand_written.replace("time = 2025-02-09T10:12:00Z", "time = 2025-02-09T10:12:00")
    (p,) = problems_of(text)
    line = text.splitlines().index("time = 2025-02-09T10:12:00") + 1
    assert (p.line, p.column, p.field) == (line, 8, "timeline[2].time")
    assert p.format("pm.toml") == (
        f"pm.toml:{line}:8: timeline[2].time: expected an offset datetime in UTC such as "
        "2025-02-09T10:05:23Z, got a local datetime (no offset)"
    )


def test_every_problem_is_reported_at_once(hand_written):
    text = (
        hand_written.replace('status = "in review"', 'status = "finished"')
        .replace('kind = "symptom"', 'kind = "weird"')
        .replace('priority = "high"', 'priority = "urgent"')
        .replace('type = "prevent"', 'type = "fix"')
        .replace('status = "open"', 'status = "closed"')
        .replace('parent = "W1"', 'parent = "W9"')
        .replace('why = "W2"', 'why = "W7"')
        .replace('factor = "F1"', 'factor = "F9"')
        .replace("failed_requests = 12000", 'failed_requests = "many"')
        .replace("deadline = 2025-02-16", 'deadline = "2025-02-16"')
    )
    problems = problems_of(text)
    fields = {p.field: p.message for p in problems}
    assert set(fields) == {
        "status",
        "timeline[0].kind",
        "actions[0].priority",
        "actions[0].type",
        "actions[0].status",
        "whys[1].parent",
        "factors[0].why",
        "actions[0].factor",
        "impact.failed_requests",
        "actions[0].deadline",
    }
    assert '"draft", "in review", "published"' in fields["status"]
    assert "symptom" in fields["timeline[0].kind"] and "'weird'" in fields["timeline[0].kind"]
    assert fields["actions[0].deadline"].endswith("(write it without quotes)")
    assert all(p.line > 0 for p in problems)
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_id_problems(hand_written):
    text = hand_written + '\n[[actions]]\nid = "AI-001"\naction = "dup"\n\n[[actions]]\nid = "A7"\naction = "bad id"\n'
    text += '\n[[whys]]\nid = "W1"\ntext = "dup why"\n\n[[factors]]\nid = "F1"\ntext = "dup factor"\n'
    messages = {p.field: p.message for p in problems_of(text)}
    assert messages["actions[1].id"] == "duplicate action id 'AI-001' (also actions[0])"
    assert messages["actions[2].id"] == "expected an action id such as AI-001, got 'A7'"
    assert "duplicate why id 'W1'" in messages["whys[2].id"]
    assert "duplicate factor id 'F1'" in messages["factors[2].id"]


def test_why_loop_and_empty_category():
    text = '[[whys]]\nid = "W1"\nparent = "W2"\ntext = "a"\n[[whys]]\nid = "W2"\nparent = "W1"\ntext = "b"\n'
    text += '[[factors]]\nid = "F1"\ncategory = ""\ntext = "c"\n'
    messages = [p.message for p in problems_of(text)]
    assert any("form a loop" in msg for msg in messages)
    assert any("category must not be empty" in msg for msg in messages)


def test_missing_required_keys_and_wrong_shapes():
    text = 'times = "soon"\n[[timeline]]\nevent = "no time"\n[[whys]]\nid = "W1"\n'
    problems = problems_of(text)
    fields = [p.field for p in problems]
    assert fields == ["times", "timeline[0]", "whys[0]"]
    assert "missing `time`" in problems[1].message and problems[1].line == 2


def test_toml_syntax_error_has_line_and_column(hand_written):
    text = hand_written.replace('severity = "SEV2"', 'severity = "SEV2')
    (p,) = problems_of(text)
    assert p.line == text.splitlines().index('severity = "SEV2') + 1
    assert p.column > 1 and p.message.startswith("not valid TOML")
    # a syntax error after thousands of fast-read rows keeps its real line
    rows = "".join(f'[[timeline]]\ntime = 2025-02-09T10:00:{i % 60:02d}Z\nevent = "e"\n\n' for i in range(300))
    (p,) = problems_of(rows + "[impact]\nfailed_requests = = 3\n")
    assert p.line == 300 * 4 + 2


def test_newer_schema_is_refused_naming_both_versions():
    with pytest.raises(store.NewerSchemaError) as info:
        store.loads('schema = 3\ntitle = "from the future"\nweird = [[1]]\n', path="pm.toml")
    assert str(info.value) == "pm.toml:1:10: schema: file uses schema 3; this pmtui reads schema 1 — upgrade pmtui"


def test_binary_and_non_utf8_files(tmp_path):
    binary = tmp_path / "b.toml"
    binary.write_bytes(b'title = "x"\n\x00\x01\x02')
    with pytest.raises(store.StoreError) as info:
        store.load(binary)
    assert "binary file" in str(info.value) and info.value.problems[0].line == 2
    latin = tmp_path / "l.toml"
    latin.write_bytes('title = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(store.StoreError) as info:
        store.load(latin)
    assert str(info.value).startswith(f"{latin}:1:13: the file is not UTF-8 text (byte 0xe9")
    with pytest.raises(store.StoreError) as info:
        store.load(tmp_path / "missing.toml")
    assert "cannot read the file" in str(info.value)


def test_offsets_are_converted_to_utc():
    pm = store.loads("[times]\nstarted = 2025-02-09T12:05:23+02:00\n").pm
    assert pm.times.started == datetime(2025, 2, 9, 10, 5, 23, tzinfo=UTC)
    assert pm.times.started.utcoffset() == timedelta(0)
    assert pm.times.started.tzinfo in (UTC, UTC)


# -- imports ---------------------------------------------------------------------------


def test_load_path_imports_no_tomlkit(tmp_path, hand_written):
    path = tmp_path / "pm.toml"
    path.write_text(hand_written, encoding="utf-8")
    code = (
        "import sys\nfrom pmtui import store\n"
        "store.load(sys.argv[1])\n"
        "print(sorted(m for m in ('tomlkit',) if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_documented_example_reads_and_round_trips():
    import re
    from pathlib import Path

    doc_text = (Path(__file__).resolve().parents[2] / "docs" / "file-format.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc_text, re.S).group(1)
    doc = store.loads(example)
    assert store.dumps(doc) == example
    pm = doc.pm
    assert (len(pm.timeline), len(pm.whys), len(pm.factors), len(pm.actions)) == (3, 3, 2, 2)
    assert pm.why_depth("W3") == 3 and pm.evidence[0].size == 48213 and pm.gaps[0].source == "kubernetes"
    assert pm.github.repo == "acme/api" and pm.sources.kubernetes.containers == ["api"]
    s = pm.sources
    assert (s.loki.tenant, s.loki.auth, s.slack.channel, s.slack.bots, s.pagerduty.incident) == (
        "shop", "bearer", "inc-2025-02-09-api", False, "Q1API20250209")
    assert s.files.paths == ["combined:logs/nginx-access.log.gz", "logs/api.log"]
    # An edit of one of them rewrites its line alone.
    s.slack.marks = ["pushpin"]
    changed = [line for line in store.dumps(doc).split("\n") if line not in example.split("\n")]
    assert changed == ['marks = ["pushpin"]']
    bad = example.replace('auth = "bearer"              # none | bearer | basic\ntoken_env = "LOKI_TOKEN"',
                          'auth = "token"\ntoken_env = "LOKI_TOKEN"')
    (problem,) = problems_of(bad)
    assert problem.field == "sources.loki.auth" and "unknown value 'token'" in problem.message


def test_several_syntax_errors_are_reported_at_once(hand_written):
    text = (
        hand_written.replace('severity = "SEV2"', 'severity = "SEV2')
        .replace("failed_requests = 12000", "failed_requests = 12 000")
        .replace("[[timeline]]  # the page", "[[timeline]  # the page")
        .replace('parent = "W1"', "parent = W1")
    )
    problems = problems_of(text)
    lines = text.split("\n")
    assert [p.line for p in problems] == [
        lines.index('severity = "SEV2') + 1,
        lines.index("failed_requests = 12 000") + 1,
        lines.index("[[timeline]  # the page") + 1,
        lines.index("parent = W1") + 1,
    ]
    assert all(p.message.startswith("not valid TOML") and p.column >= 1 for p in problems)
    # the first is exactly what tomllib says
    with pytest.raises(tomllib.TOMLDecodeError) as info:
        tomllib.loads(text)
    assert f"line {problems[0].line}, column {problems[0].column}" in str(info.value)


def test_an_error_inside_a_multi_line_value_is_reported_alone():
    # Blanking the bad line would leave `"b",` and `]` as bogus statements:
    # those echoes must not be reported as errors of their own.
    text = 'title = "t"\nwent_well = [\n    "a" "x",\n    "b",\n]\nseverity = = 1\n'
    (p,) = problems_of(text)
    assert p.line == 3
    text = 'summary = """\nbad \\q escape\n[[timeline]]\n"""\ntitle = = 2\n'
    (p,) = problems_of(text)
    assert p.line == 2


def test_at_most_ten_syntax_errors():
    text = "".join(f"key{i} = = {i}\n" for i in range(15))
    assert [p.line for p in problems_of(text)] == list(range(1, 11))
