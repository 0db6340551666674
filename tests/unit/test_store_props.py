"""Property tests: any post-mortem survives a write and a read; edits to a
hand-written file touch only the edited field; hostile text round-trips."""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui import model as m
from pmtui import store

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    '"""',
    "'''",
    '""""',
    "\\",
    'ends with a quote"',
    "\n[[timeline]]\ntime = 2025-01-01T00:00:00Z\n",
    "[times]",
    "# not a comment",
    "key = \"value\"",
    "\r\n",
    "\t",
    "\x00\x01\x1f\x7f",
    "\u2028\u2029",
    "naïve café ☕ 💥",
    "\\u0041 \\n",
    "}]",
]

text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.lists(st.sampled_from(HOSTILE), max_size=4).map("".join),
)
word = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
utc = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
opt_utc = st.none() | utc
day = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1))
ids = st.lists(st.integers(1, 999), unique=True, max_size=4)


@st.composite
def post_mortems(draw) -> m.PostMortem:
    pm = m.PostMortem(
        id=draw(word),
        title=draw(text),
        status=draw(st.sampled_from(m.STATUSES)),
        severity=draw(word),
        authors=draw(st.lists(word, max_size=3)),
        reviewers=draw(st.lists(text, max_size=2)),
        reviewed=draw(st.none() | day),
        services=draw(st.lists(word, max_size=2)),
        follow_up=draw(st.none() | day),
        shared=draw(opt_utc),
        summary=draw(text),
        trigger=draw(text),
        root_cause=draw(text),
        immediate_cause=draw(text),
        problem=draw(text),
        shallow_reason=draw(text),
        systemic_issues=draw(st.lists(text, max_size=3)),
        went_well=draw(st.lists(text, max_size=3)),
        went_wrong=draw(st.lists(text, max_size=2)),
        lucky=draw(st.lists(text, max_size=2)),
        lessons=draw(st.lists(text, max_size=2)),
        prevention=draw(text),
    )
    pm.times = m.IncidentTimes(draw(opt_utc), draw(opt_utc), draw(opt_utc), draw(opt_utc))
    pm.impact = m.Impact(
        draw(text), draw(st.none() | st.integers(0, 10**12)), draw(st.none() | st.integers(0, 10**9)), draw(text),
        draw(st.none() | st.booleans()),
    )
    pm.timeline = draw(
        st.lists(
            st.builds(m.TimelineEvent, utc, text, text, text, st.sampled_from(m.EVENT_KINDS)),
            max_size=6,
        )
    )
    why_ids = [f"W{i}" for i in draw(ids)]
    pm.whys = [m.Why(w, draw(text), draw(st.sampled_from(["", *why_ids[:k]]))) for k, w in enumerate(why_ids)]
    factor_ids = [f"F{i}" for i in draw(ids)]
    pm.factors = [
        m.Factor(f, draw(text), draw(st.sampled_from(m.FACTOR_CATEGORIES) | word.filter(str.strip)),
                 draw(st.sampled_from(["", *why_ids])))
        for f in factor_ids
    ]
    pm.actions = [
        m.ActionItem(
            f"AI-{i:03d}", draw(text), draw(word), draw(st.none() | day), draw(st.sampled_from(("", *m.PRIORITIES))),
            draw(st.sampled_from(m.ACTION_TYPES)), draw(st.sampled_from(m.ACTION_STATUSES)),
            draw(st.lists(word, max_size=3)), draw(st.sampled_from(["", *factor_ids])), draw(word),
            draw(st.none() | st.integers(1, 10**6)),
        )
        for i in draw(ids)
    ]
    prom = pm.sources.prometheus
    prom.url, prom.auth = draw(word), draw(st.sampled_from(store.AUTH_MODES))
    prom.token_env, prom.step = draw(word), draw(word)
    prom.queries = draw(st.dictionaries(word.filter(bool), text, max_size=3))
    pm.sources.window_start, pm.sources.window_end = draw(opt_utc), draw(opt_utc)
    pm.sources.alertmanager.url = draw(word)
    k8s = pm.sources.kubernetes
    k8s.namespace, k8s.selector, k8s.containers = draw(word), draw(text), draw(st.lists(word, max_size=2))
    loki = pm.sources.loki
    loki.url, loki.query, loki.tenant = draw(word), draw(text), draw(word)
    loki.auth, loki.token_env = draw(st.sampled_from(store.AUTH_MODES)), draw(word)
    pm.sources.files.paths = draw(st.lists(text, max_size=3))
    slack = pm.sources.slack
    slack.channel, slack.export, slack.token_env = draw(word), draw(text), draw(word)
    slack.marks, slack.bots, slack.chatter = draw(st.lists(word, max_size=3)), draw(st.booleans()), draw(st.booleans())
    pd = pm.sources.pagerduty
    pd.incident, pd.file, pd.service, pd.token_env = draw(word), draw(text), draw(word), draw(word)
    pm.evidence = [
        m.Evidence(f"E{i}", draw(word), draw(word), draw(text), draw(word), draw(text), draw(opt_utc), draw(opt_utc),
                   draw(opt_utc), draw(st.integers(0, 10**9)))
        for i in draw(ids)
    ]
    pm.gaps = draw(st.lists(st.builds(m.Gap, word, text, opt_utc, opt_utc), max_size=2))
    pm.github = m.GithubExportSettings(draw(word), draw(word), draw(st.lists(word, max_size=2)))
    return pm


@PROPS
@given(post_mortems())
def test_any_post_mortem_survives_write_and_read(pm):
    text_out = store.dumps(store.new_document(pm, None))
    doc = store.loads(text_out)
    assert doc.pm == pm
    assert store.dumps(doc) == text_out


# -- single edits to a hand-written file ------------------------------------------------

EDITS = [
    ("title", lambda pm, v: setattr(pm, "title", v)),
    ("summary", lambda pm, v: setattr(pm, "summary", v)),
    ("trigger", lambda pm, v: setattr(pm, "trigger", v)),
    ("problem", lambda pm, v: setattr(pm, "problem", v)),
    ("went_well", lambda pm, v: setattr(pm, "went_well", [v, "second"])),
    ("impact.description", lambda pm, v: setattr(pm.impact, "description", v)),
    ("impact.revenue", lambda pm, v: setattr(pm.impact, "revenue", v)),
    ("timeline[0].event", lambda pm, v: setattr(pm.timeline[0], "event", v)),
    ("timeline[1].actor", lambda pm, v: setattr(pm.timeline[1], "actor", v)),
    ("timeline[2].source", lambda pm, v: setattr(pm.timeline[2], "source", v)),
    ("whys[1].text", lambda pm, v: setattr(pm.whys[1], "text", v)),
    ("factors[1].category", lambda pm, v: setattr(pm.factors[1], "category", v if v.strip() else "x")),
    ("actions[0].owner", lambda pm, v: setattr(pm.actions[0], "owner", v)),
    ("sources.prometheus.url", lambda pm, v: setattr(pm.sources.prometheus, "url", v)),
    ("sources.slack.channel", lambda pm, v: setattr(pm.sources.slack, "channel", v)),
    ("sources.pagerduty.incident", lambda pm, v: setattr(pm.sources.pagerduty, "incident", v)),
    ("sources.loki.query", lambda pm, v: setattr(pm.sources.loki, "query", v)),
    ("sources.files.paths", lambda pm, v: setattr(pm.sources.files, "paths", [v, "combined:logs/access.log.gz"])),
]


def _span(doc: store.Document, field: str) -> tuple[int, int] | None:
    """0-based line range of a field's value in the text as loaded."""
    index = doc._current_index()
    head, _, key = field.rpartition(".")
    if "[" in head:
        name, _, number = head.partition("[")
        seg = index.arrays(name)[int(number.rstrip("]"))]
    else:
        seg = index.table(tuple(head.split(".")) if head else ())
        key = key or field
    entry = seg.entries.get((key,)) if seg else None
    return (entry[0], entry[1]) if entry else None


@PROPS
@given(st.sampled_from(EDITS), text)
def test_a_single_edit_keeps_every_other_byte(hand_written, edit, value):
    field, apply = edit
    doc = store.loads(hand_written)
    span = _span(doc, field)
    apply(doc.pm, value)
    out = store.dumps(doc)
    assert store.loads(out).pm == doc.pm
    old, new = hand_written.split("\n"), out.split("\n")
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if span is None:
            assert tag == "insert", (field, tag, old[i1:i2])
        else:
            assert span[0] <= i1 and i2 <= span[1], (field, span, i1, i2, old[i1:i2])


@PROPS
@given(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map("".join))
def test_hostile_text_round_trips_through_fresh_files_and_splices(hand_written, hostile):
    pm = m.PostMortem(title=hostile, summary=hostile, lessons=[hostile, hostile])
    pm.timeline = [m.TimelineEvent(datetime(2025, 2, 9, 10, tzinfo=UTC), hostile, hostile, hostile, "other")]
    pm.sources.prometheus.queries = {hostile or "q": hostile}
    pm.whys = [m.Why("W1", hostile)]
    out = store.dumps(store.new_document(pm, None))
    assert store.loads(out).pm == pm
    doc = store.loads(hand_written)
    doc.pm.title = doc.pm.summary = doc.pm.timeline[1].event = doc.pm.whys[0].text = hostile
    doc.pm.timeline.append(m.TimelineEvent(datetime(2025, 2, 9, 11, tzinfo=UTC), hostile, hostile, "", "other"))
    doc.pm.sources.prometheus.queries[hostile or "q"] = hostile
    spliced = store.dumps(doc)
    assert store.loads(spliced).pm == doc.pm


# -- several syntax errors ---------------------------------------------------------------


def _one_line_statements(text: str) -> list[int]:
    """0-based lines holding a whole statement: a header or a one-line key."""
    from pmtui.store.scan import scan

    index = scan(text, fast=False)
    out = [seg.header for seg in index.segments[1:]]
    for seg in index.segments:
        out += [first for first, end, _c, _e in seg.entries.values() if end == first + 1]
    return sorted(out)


BREAKAGES = [
    lambda line: "= " + line,
    lambda line: "x y " + line,
    lambda line: line.replace("]", "", 1) if line.startswith("[") else "= " + line,
]


@PROPS
@given(st.data())
def test_every_reported_syntax_error_is_one_that_was_made(hand_written, data):
    if data.draw(st.booleans()):
        base = hand_written
    else:
        base = store.dumps(store.new_document(data.draw(post_mortems()), None))
    lines = base.split("\n")
    candidates = _one_line_statements(base)
    broken = sorted(data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=14, unique=True)))
    for i in broken:
        lines[i] = data.draw(st.sampled_from(BREAKAGES))(lines[i])
    text = "\n".join(lines)
    with pytest.raises(store.StoreError) as info:
        store.loads(text)
    reported = [p.line - 1 for p in info.value.problems]
    # every error named is one of the lines broken, in file order, and no
    # line broken on its own is skipped (up to the limit of ten)
    assert reported == broken[: store.MAX_SYNTAX_ERRORS], (reported, broken)
