from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import report
from pmtui.model import ActionItem, Factor, Gap, PostMortem, TimelineEvent, Why
from pmtui.sample import at, complete_postmortem

HOSTILE = [
    "a | b | c",
    "pipe at end |",
    "| leading pipe",
    "back\\slash \\| escaped pipe",
    "`code` and ``` fence",
    "<script>alert(1)</script>",
    "</td></tr><tr><td>x",
    "&amp; &lt; & < >",
    "# not a heading",
    "- not a list",
    "* not a list *",
    "+ plus",
    "1. not ordered",
    "2) not ordered",
    "> not a quote",
    "---",
    "===",
    "    four-space indent",
    "line one\nline two\r\nline three\rfour",
    "[link](http://example.com) ![img](x.png)",
    "**bold** __bold__ _em_ *em*",
    "~~strike~~ ~tilde~",
    "\x1b[31mred\x1b[0m and \u202eevil",
    "|---|---|",
    "\n\nblank edges\n\n",
    "",
]

TOP_HEADINGS = [
    "Summary",
    "Impact",
    "Root Cause and Trigger",
    "Key Durations",
    "Timeline (all times UTC)",
    "Contributing Factors",
    "Action Items",
    "What Went Well",
    "What Went Wrong",
    "Where We Got Lucky",
    "Lessons Learned",
    "Prevention",
    "Data Gaps",
]


def test_template_headings_in_order(gfm):
    text = report.render(complete_postmortem())
    hs = gfm.headings(text)
    assert hs[0] == (1, "Post-Mortem: API Service Degradation (2025-02-09)")
    assert [title for level, title in hs if level == 2] == TOP_HEADINGS
    subs = [title for level, title in hs if level == 3]
    assert subs == ["Immediate Cause", "Contributing Factors", "Five Whys", "Systemic Issues"]


def test_header_fields_follow_the_template(gfm):
    pm = complete_postmortem()
    pm.times.started = at("10:05:00")
    text = report.render(pm)
    lines = text.splitlines()
    assert lines[2:7] == [
        "**Date**: 2025-02-09  ",
        "**Duration**: 1h 35min (10:05 - 11:40 UTC)  ",
        "**Severity**: P1 (Critical service degraded)  ",
        "**Authors**: @alice, @bob  ",
        "**Reviewed**: 2025-02-10  ",
    ]
    # Hard line breaks: the fields are one paragraph with a break after each.
    para = [tok for tok in gfm.parse(text) if tok.type == "inline"][1]
    assert sum(1 for c in para.children if c.type == "hardbreak") >= 4


def test_title_and_category_headings_keep_trailing_hashes(gfm):
    pm = complete_postmortem()
    pm.times.started = None
    pm.title = "Queue ## #"
    pm.factors[0].category = "c# ##"
    text = report.render(pm)
    hs = gfm.headings(text)
    assert hs[0] == (1, "Post-Mortem: Queue ## #")
    assert (4, "C# ##") in hs


def test_duration_across_midnight_shows_dates():
    pm = complete_postmortem()
    pm.times.started = datetime(2025, 2, 9, 23, 50, tzinfo=UTC)
    pm.times.resolved = datetime(2025, 2, 10, 1, 10, tzinfo=UTC)
    assert "**Duration**: 1h 20min (23:50 - 2025-02-10 01:10 UTC)" in report.render(pm)


def test_ongoing_incident_duration():
    pm = complete_postmortem()
    pm.times.resolved = None
    assert "**Duration**: ongoing (since 10:05 UTC)" in report.render(pm)


def test_key_durations_table(gfm):
    (durations,) = [tb for tb in gfm.tables(report.render(complete_postmortem())) if tb.header[0] == "Measure"]
    assert durations.rows == [
        ["Started", "-", "10:05:23"],
        ["Time to detect (TTD)", "1min 22s", "10:06:45"],
        ["Time to mitigate (TTM)", "29min", "10:35:00"],
        ["Time to resolve (TTR)", "1h 34min", "11:40:00"],
    ]


def test_impact_prose_and_figures():
    text = report.render_section(complete_postmortem(), "impact")[2]
    assert "Checkout and search failed intermittently." in text
    assert "- Failed requests: 40,000" in text
    assert "- Users affected: 2,000" in text
    assert "- Revenue impact: \\~$5,000 (estimated)" in text
    assert "- Data lost: no" in text


def test_timeline_is_chronological_whatever_the_file_order(gfm):
    pm = complete_postmortem()
    pm.timeline.reverse()
    (tl,) = [tb for tb in gfm.tables(report.render(pm)) if tb.header[0] == "Time (UTC)"]
    assert tl.header == ["Time (UTC)", "Event", "Source", "Actor"]
    assert [r[0] for r in tl.rows] == ["10:05:23", "10:06:45", "10:12:00", "10:22:10", "10:35:00", "11:40:00"]
    assert tl.rows[0] == ["10:05:23", "First 5xx errors appear", "nginx access logs", "-"]
    assert tl.rows[2][3] == "@alice"


def test_timeline_rows_off_the_incident_day_carry_the_date(gfm):
    pm = complete_postmortem()
    pm.timeline.append(TimelineEvent(datetime(2025, 2, 10, 0, 0, 1, 500000, tzinfo=UTC), "late", "x", "", "other"))
    (tl,) = [tb for tb in gfm.tables(report.render(pm)) if tb.header[0] == "Time (UTC)"]
    assert tl.rows[-1][0] == "2025-02-10 00:00:01.5"


def test_timeline_rows_render_in_chunks_identically():
    pm = complete_postmortem()
    whole = report.render_section(pm, "timeline")[2].splitlines()
    events = report.sorted_timeline(pm)
    chunks = []
    for start in range(0, len(events), 4):
        chunks += report.render_timeline_rows(events[start : start + 4], pm.incident_date)
    assert whole[2:4] == report.timeline_table_head().splitlines()
    assert whole[4:] == chunks


def test_render_is_the_sections_joined():
    pm = complete_postmortem()
    sections = report.render_sections(pm)
    assert [k for k, _, _ in sections] == report.SECTION_KEYS
    assert report.render(pm) == "\n\n".join(md for _, _, md in sections) + "\n"
    key, title, md = report.render_section(pm, "lessons")
    assert (key, title) == ("lessons", "Lessons Learned")
    assert md.startswith("## Lessons Learned\n\n- Load tests")


def test_empty_post_mortem_keeps_every_section(gfm):
    text = report.render(PostMortem())
    assert [title for level, title in gfm.headings(text) if level == 2] == TOP_HEADINGS
    assert gfm.headings(text)[0] == (1, "Post-Mortem: Untitled incident")
    for key in ("summary", "impact", "root_cause", "timeline", "actions", "went_well", "went_wrong",
                "lucky", "lessons", "prevention"):
        assert report.EMPTY in report.render_section(PostMortem(), key)[2], key
    assert "**Duration**: _Not recorded yet._" in text
    assert "_No data gaps recorded._" in text
    factors = report.render_section(PostMortem(), "factors")[2]
    assert factors.count(report.EMPTY) == 4  # immediate cause, factors, whys, systemic issues


def test_factors_grouped_by_category_with_custom_ones_after_known(gfm):
    pm = complete_postmortem()
    pm.factors = [
        Factor("F1", "vendor quota", "third-party"),
        Factor("F2", "no alert", "monitoring", "W1"),
        Factor("F3", "misc", "other"),
        Factor("F4", "no load test", "Testing"),
        Factor("F5", "runbook bot", "SRE tooling"),
        Factor("F6", "same group", "sre Tooling"),
    ]
    text = report.render_section(pm, "factors")[2]
    hs = [title for level, title in gfm.headings(text) if level == 4]
    assert hs == ["Monitoring", "Testing", "Third-party", "SRE tooling", "Other"]
    assert "1. no alert _(F2; why W1)_" in text
    assert "4. runbook bot _(F5)_\n5. same group _(F6)_" in text
    assert "6. misc _(F3)_" in text


def test_five_whys_chains_root_to_leaf_numbered(gfm):
    pm = complete_postmortem()
    text = report.render_section(pm, "factors")[2]
    tokens = gfm.parse(text)
    assert "**Chain 1** (5 deep)" in text and "**Chain 2** (2 deep)" in text
    chain1 = text.split("**Chain 1** (5 deep)")[1].split("**Chain 2**")[0].strip().splitlines()
    assert [line.split(". ", 1)[0] for line in chain1] == ["1", "2", "3", "4", "5"]
    assert chain1[0].startswith("1. Requests waited") and chain1[-1].startswith("5. CI does not review")
    assert "ordered_list_open" in {tok.type for tok in tokens}


def test_shallow_reason_is_shown():
    pm = complete_postmortem()
    pm.whys = [Why("W1", "only one answer")]
    pm.shallow_reason = "the vendor owns the rest"
    assert "**Why the analysis stops short of five**: the vendor owns the rest" in report.render(pm)


def test_action_table_columns_and_tracking(gfm):
    pm = complete_postmortem()
    pm.actions.append(ActionItem("AI-003", "Add X", tracker="javascript:alert(1)"))
    pm.actions.append(ActionItem("AI-004", "Add Y", status="done"))
    (acts,) = [tb for tb in gfm.tables(report.render(pm)) if tb.header[0] == "ID"]
    assert acts.header == ["ID", "Action", "Owner", "Deadline", "Priority", "Tracking"]
    assert acts.rows[0][:5] == ["AI-001", "Add connection pool metrics to Grafana", "@bob", "2025-02-16", "High"]
    assert acts.rows[0][5] == "<<link_open>>#101<<link_close>>"
    # Not an http(s) URL: shown as text, never a live link.
    assert acts.rows[2][5] == "javascript:alert(1)"
    assert acts.rows[2][2:5] == [f"<<em_open>>{w}<<em_close>>" for w in ("unassigned", "none", "unset")]
    assert acts.rows[3][5] == "done"


def test_data_gaps_listed():
    pm = complete_postmortem()
    pm.gaps.append(Gap("prometheus", "retention | too short"))
    text = report.render_section(pm, "gaps")[2]
    assert "- **kubernetes** (09:35 - 10:00 UTC): Pod logs before 10:00 were rotated" in text
    assert "- **prometheus**: retention \\| too short" in text


def _hostile_pm(texts: list[str]) -> PostMortem:
    pm = complete_postmortem()
    base = at("10:00:00")
    pm.timeline = [
        TimelineEvent(base + timedelta(seconds=i), text, text, text, "other") for i, text in enumerate(texts)
    ]
    pm.actions = [
        ActionItem(f"AI-{i + 1:03d}", text, text, date(2025, 3, 1), "high", tracker="https://x.test/a|b(c)")
        for i, text in enumerate(texts)
    ]
    for attr in ("summary", "trigger", "root_cause", "immediate_cause", "problem", "prevention", "title", "severity"):
        setattr(pm, attr, "\n".join(texts))
    pm.impact.description = pm.impact.revenue = "\n".join(texts)
    for attr in ("went_well", "went_wrong", "lucky", "lessons", "systemic_issues", "authors", "services"):
        setattr(pm, attr, list(texts))
    pm.factors = [Factor(f"F{i}", text, text or "other", "") for i, text in enumerate(texts)]
    pm.whys = [Why(f"W{i}", text, f"W{i - 1}" if i else "") for i, text in enumerate(texts)]
    pm.gaps = [Gap(text, text) for text in texts]
    return pm


def test_hostile_text_keeps_tables_and_structure_intact(gfm):
    pm = _hostile_pm(HOSTILE)
    text = report.render(pm)
    tbs = gfm.tables(text)
    assert [tb.header[0] for tb in tbs] == ["Measure", "Time (UTC)", "ID"]
    timeline, actions = tbs[1], tbs[2]
    assert len(timeline.rows) == len(HOSTILE) and len(actions.rows) == len(HOSTILE)
    for row in timeline.rows:
        assert len(row) == 4
    for row in actions.rows:
        assert len(row) == 6
    # Every cell reads back as exactly what was typed (made terminal-safe).
    for src, row in zip(HOSTILE, timeline.rows, strict=True):
        want = gfm.expected_literal(src) or "-"
        assert row[1:] == [want, want, want], src
    for src, row in zip(HOSTILE, actions.rows, strict=True):
        assert row[1] == (gfm.expected_literal(src) or "-")
        assert row[5] == "<<link_open>>issue<<link_close>>"
    # No user text became a heading, a quote, code or raw HTML.
    assert [title for level, title in gfm.headings(text) if level == 2] == TOP_HEADINGS
    assert not {"blockquote_open", "code_block", "fence", "hr", "html_block"} & gfm.block_types(text)
    assert gfm.html_tokens(text) == []
    assert "\x1b" not in text and "\u202e" not in text


def test_hostile_list_items_stay_one_item_each(gfm):
    pm = _hostile_pm(HOSTILE)
    text = report.render_section(pm, "lessons")[2]
    tokens = gfm.parse(text)
    items = [tokens[i + 2] for i, tok in enumerate(tokens) if tok.type == "list_item_open"]
    non_empty = [s for s in HOSTILE if s.strip()]
    assert len(items) == len(non_empty)
    assert [gfm.inline_text(tok) for tok in items] == [gfm.expected_literal(s) for s in non_empty]


_cell_text = st.text(
    alphabet=st.sampled_from([*"ab |\\`*_[]()<>&#-+=!~:.1\n\r\t\x1b", "\u00e9", "\u202e"]),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cell_text, min_size=1, max_size=5))
def test_any_cell_text_round_trips_through_gfm(gfm, texts):
    pm = complete_postmortem()
    pm.timeline = [TimelineEvent(at("10:00:00") + timedelta(seconds=i), s, s, s) for i, s in enumerate(texts)]
    (tl,) = [tb for tb in gfm.tables(report.render_section(pm, "timeline")[2])]
    assert len(tl.rows) == len(texts)
    for src, row in zip(texts, tl.rows, strict=True):
        want = gfm.expected_literal(src) or "-"
        assert row == [row[0], want, want, want]


@settings(max_examples=100, deadline=None)
@given(_cell_text)
def test_any_prose_stays_paragraphs(gfm, text):
    pm = PostMortem(summary=text)
    body = report.render_section(pm, "summary")[2]
    kinds = gfm.block_types(body) - {"heading_open", "heading_close", "inline", "paragraph_open", "paragraph_close"}
    assert kinds == set()
    assert gfm.html_tokens(body) == []


# -- secrets ------------------------------------------------------------------------
# The file keeps what its author typed; the report (and so the preview, the
# copy and `pmtui report`) never shows a secret from it.


def test_secret_in_every_field_is_redacted_in_every_section(planted_secrets):
    pm = complete_postmortem()
    assert pm.timeline and pm.whys and pm.factors and pm.actions
    pm.gaps.append(Gap("prometheus", "no data"))
    fields = planted_secrets.plant_everywhere(pm)
    sections = report.render_sections(pm)
    for key, _, text in sections:
        assert planted_secrets.leaks(text) == [], key
    whole = report.render(pm)
    assert planted_secrets.leaks(whole) == []
    # Redacted, not dropped: each kind leaves its mark where it was.
    for kind in ("authorization", "github-pat", "aws-access-token", "generic-api-key", "url-password", "jwt",
                 "private-key"):
        assert f"\u00abredacted:{kind}\u00bb" in whole, kind
    print(f"report: {len(planted_secrets.SECRETS)} secrets x {fields} fields, 0 leaked")


def test_timeline_rows_and_action_rows_are_redacted(planted_secrets):
    one_line = planted_secrets.ONE_LINE
    ev = TimelineEvent(at("10:00:00"), one_line, one_line, one_line)
    (row,) = report.render_timeline_rows([ev])
    assert planted_secrets.leaks(row) == [] and row.count("\u00abredacted:") >= 3 * 7
    (arow,) = report.render_action_rows(
        [ActionItem("A1", one_line, owner=one_line, tracker="https://x:" + "Pg7Hx2Kq9Wz4Lm@h/1")])
    assert planted_secrets.leaks(arow) == []


def test_redaction_happens_before_markdown_escaping():
    # Escaped first, `a*b` would become `a\*b` and the rule would stop at the
    # backslash, leaving `*b...` of the password in the report.
    pm = PostMortem(summary="password=Ab*Cd_Ef|Gh`Ij", trigger="token: x_y*z[1]")
    text = report.render(pm)
    assert "Cd" not in text and "Gh" not in text and "Ij" not in text
    assert "z\\[1" not in text and "y\\*z" not in text


def test_key_block_across_lines_of_immediate_cause_is_redacted_whole(planted_secrets):
    key = planted_secrets.SECRETS[-1]
    pm = PostMortem(immediate_cause="- a cert rotated\n" + key.text + "\n- pool exhausted")
    body = report.render_section(pm, "factors")[2]
    assert planted_secrets.leaks(body) == []
    assert "a cert rotated" in body and "pool exhausted" in body


def test_the_timeline_clocks_of_many_rows_are_the_clock_of_each():
    """report._fast_clocks (a 100,000-row report's times, put together
    from pieces) says what _clock says of each time: on the incident's day
    or not, with fractions or not, in UTC or another zone, at the ends of
    the years a post-mortem may hold."""
    from datetime import timezone

    day = date(2025, 2, 9)
    times = [
        datetime(2025, 2, 9, 0, 0, 0, tzinfo=UTC), datetime(2025, 2, 9, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 2, 9, 10, 5, 23, 120000, tzinfo=UTC), datetime(2025, 2, 10, 1, 2, 3, tzinfo=UTC),
        datetime(1900, 1, 1, 0, 0, 1, tzinfo=UTC), datetime(9998, 12, 31, 23, 59, 59, 5, tzinfo=UTC),
        datetime(2025, 2, 9, 1, 0, 0, tzinfo=timezone(timedelta(hours=2))),  # 2025-02-08 in UTC
        datetime(2025, 2, 10, 0, 30, 0, tzinfo=timezone(timedelta(hours=-1))),
    ]
    events = [TimelineEvent(t, "e") for t in times]
    for on in (day, None, date(2025, 2, 10)):
        assert report._fast_clocks(events, on) == [report._clock(t, on) for t in times]
