"""PostMortem -> GitHub-flavoured Markdown, following the procedure's template.

Sections render independently (`render_sections`, `render_section`) so the
app's live preview can redo only what changed, and timeline rows render in
any slice (`render_timeline_rows`) so 10,000 events never have to be
re-rendered to show a screenful. Everything is linear in the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime

from pmtui import markdown as md
from pmtui.model import FACTOR_CATEGORIES, ActionItem, PostMortem, TimelineEvent, format_duration
from pmtui.redact import redact, redact_many
from pmtui.timeparse import format_clock, format_utc

EMPTY = "_No entries yet._"
NOT_RECORDED = "_Not recorded yet._"

TIMELINE_HEADERS = ["Time (UTC)", "Event", "Source", "Actor"]
ACTION_HEADERS = ["ID", "Action", "Owner", "Deadline", "Priority", "Tracking"]


# -- user and outside text: redacted, then escaped ---------------------------
# Redaction comes before escaping: escaping puts backslashes inside a
# secret (`a*b` -> `a\*b`), after which the rules would catch only part.
# The file keeps what its author typed; the report, the copy, the preview
# and everything made from them never carry a secret.


def _inline(text: str) -> str:
    return md.inline(redact(text)) if text else ""


def _cell(text: str, empty: str = "-") -> str:
    return md.cell(redact(text), empty) if text else empty


def _heading(text: str) -> str:
    return md.heading(redact(text)) if text else ""


def _paragraphs(text: str) -> str:
    return md.paragraphs(redact(text)) if text else ""


def _bullets(items: list[str], empty: str) -> str:
    return md.bullets([redact(i) for i in items], empty)


def _link(label: str, url: str) -> str:
    return md.link(redact(label), redact(url))


# -- header --------------------------------------------------------------


def _hhmm(when: datetime, day: date | None) -> str:
    return when.strftime("%H:%M") if when.date() == day else format_utc(when, seconds=False)


def _duration_line(pm: PostMortem) -> str:
    t = pm.times
    if t.started is None:
        return NOT_RECORDED
    day = t.started.date()
    if t.resolved is None:
        return f"ongoing (since {_hhmm(t.started, day)} UTC)"
    return f"{format_duration(pm.duration)} ({_hhmm(t.started, day)} - {_hhmm(t.resolved, day)} UTC)"


def render_header(pm: PostMortem) -> str:
    title = _heading(pm.title) or "Untitled incident"
    day = pm.incident_date
    heading = f"# Post-Mortem: {title} ({day.isoformat()})" if day else f"# Post-Mortem: {title}"
    fields = [
        ("Date", day.isoformat() if day else NOT_RECORDED),
        ("Duration", _duration_line(pm)),
        ("Severity", _inline(pm.severity) or NOT_RECORDED),
        ("Authors", ", ".join(_inline(a) for a in pm.authors if a.strip()) or NOT_RECORDED),
        ("Reviewed", md.fmt_date(pm.reviewed) or "_Not yet._"),
    ]
    if pm.reviewers:
        fields.append(("Reviewers", ", ".join(_inline(r) for r in pm.reviewers if r.strip())))
    if pm.services:
        fields.append(("Services", ", ".join(_inline(s) for s in pm.services if s.strip())))
    if pm.related:
        fields.append(("Related incidents", ", ".join(_inline(r) for r in pm.related if r.strip())))
    fields.append(("Status", _inline(pm.status) or "draft"))
    if pm.id:
        fields.append(("ID", _inline(pm.id)))
    follow = pm.follow_up_date
    fields.append(("Follow-up review", follow.isoformat() if follow else NOT_RECORDED))
    if pm.shared is not None:
        fields.append(("Shared", format_utc(pm.shared, seconds=False) + " UTC"))
    # Two trailing spaces: a hard line break, so each field shows on its own
    # line as in the template without turning the block into a list.
    body = "  \n".join(f"**{name}**: {value}" for name, value in fields)
    return f"{heading}\n\n{body}"


# -- prose sections ---------------------------------------------------------


def _prose(text: str) -> str:
    return _paragraphs(text) or EMPTY


def render_summary(pm: PostMortem) -> str:
    return _prose(pm.summary)


def render_impact(pm: PostMortem) -> str:
    imp = pm.impact
    figures: list[str] = []
    if imp.failed_requests is not None:
        figures.append(f"Failed requests: {imp.failed_requests:,}")
    if imp.users_affected is not None:
        figures.append(f"Users affected: {imp.users_affected:,}")
    if imp.revenue.strip():
        figures.append(f"Revenue impact: {_inline(imp.revenue)}")
    if imp.data_lost is not None:
        figures.append("Data lost: " + ("yes" if imp.data_lost else "no"))
    if pm.services:
        figures.append("Services affected: " + ", ".join(_inline(s) for s in pm.services if s.strip()))
    parts = []
    prose = _paragraphs(imp.description)
    if prose:
        parts.append(prose)
    if figures:
        parts.append("\n".join(f"- {f}" for f in figures))
    return "\n\n".join(parts) or EMPTY


def render_root_cause(pm: PostMortem) -> str:
    parts = []
    cause = _paragraphs(pm.root_cause)
    if cause:
        parts.append(cause)
    trigger = _inline(pm.trigger)
    if trigger:
        parts.append(f"**Trigger**: {trigger}")
    return "\n\n".join(parts) or EMPTY


def render_durations(pm: PostMortem) -> str:
    t = pm.times
    day = pm.incident_date
    rows = []
    for label, delta, when in (
        ("Time to detect (TTD)", pm.time_to_detect, t.detected),
        ("Time to mitigate (TTM)", pm.time_to_mitigate, t.mitigated),
        ("Time to resolve (TTR)", pm.time_to_resolve, t.resolved),
    ):
        rows.append([label, format_duration(delta) or "-", _clock(when, day) if when else "-"])
    rows.insert(0, ["Started", "-", _clock(t.started, day) if t.started else "-"])
    if all(r[1] == "-" and r[2] == "-" for r in rows):
        return NOT_RECORDED
    return md.table(["Measure", "Duration", "At (UTC)"], rows)


def _list_section(attr: str) -> Callable[[PostMortem], str]:
    def render(pm: PostMortem) -> str:
        return _bullets(getattr(pm, attr), EMPTY)

    return render


def render_prevention(pm: PostMortem) -> str:
    return _prose(pm.prevention)


# -- timeline ---------------------------------------------------------------


def _clock(when: datetime, day: date | None) -> str:
    # Only the clock when the event is on the incident's day, as in the
    # template; the full date once the incident crosses midnight.
    return format_clock(when) if when.date() == day else format_utc(when)


_TWO = tuple(f"{i:02d}" for i in range(60))


def _fast_clocks(events: list[TimelineEvent], day: date | None) -> list[str]:
    """_clock of each event's time ("-" for none), for many rows: an aware
    UTC time (what the store reads) is put together from two-digit texts
    and its date's text, made once per date, instead of strftime or
    isoformat per row (a fifth of a 100,000-row report). Years 1900-9998:
    four digits, as strftime's."""
    two = _TWO
    dates: dict[date, str] = {}
    out: list[str] = []
    add = out.append
    for ev in events:
        when = ev.time
        if not when:
            add("-")
            continue
        if when.tzinfo is not UTC:
            add(_clock(when, day))
            continue
        on = when.date()
        if on == day:
            text = f"{two[when.hour]}:{two[when.minute]}:{two[when.second]}"
        else:
            prefix = dates.get(on)
            if prefix is None:
                prefix = dates[on] = on.isoformat() + " "
            text = f"{prefix}{two[when.hour]}:{two[when.minute]}:{two[when.second]}"
        add(text + f".{when.microsecond:06d}".rstrip("0") if when.microsecond else text)
    return out


def render_timeline_rows(events: Iterable[TimelineEvent], day: date | None = None) -> list[str]:
    """One table row per event, in the order given (the caller sorts or
    slices). `day` is the incident date: events on it show just the clock.
    Event texts are redacted in one batch (redact_many); a source or actor
    (a few dozen different ones in 100,000 rows) is redacted and escaped
    once."""
    events = list(events)
    texts = redact_many([ev.event for ev in events])
    cells: dict[str, str] = {}
    for ev in events:
        for text in (ev.source, ev.actor):
            if text not in cells:
                cells[text] = _cell(text)
    cell, small = md.cell, cells.__getitem__
    return [
        f"| {when} | {cell(text) if ev.event else '-'} | {small(ev.source)} | {small(ev.actor)} |"
        for ev, when, text in zip(events, _fast_clocks(events, day), texts, strict=True)
    ]


def timeline_table_head() -> str:
    return md.table(TIMELINE_HEADERS, [])


def sorted_timeline(pm: PostMortem) -> list[TimelineEvent]:
    return sorted(pm.timeline, key=lambda e: e.time)


def report_timeline(pm: PostMortem) -> list[TimelineEvent]:
    """The rows the report shows, in time order: the key rows when
    `[report] timeline` says so (pm.report_shows_key_rows), else all."""
    rows = sorted_timeline(pm)
    return [e for e in rows if e.key] if pm.report_shows_key_rows() else rows


def timeline_note(pm: PostMortem, shown: int) -> str:
    """The line under the timeline's heading when it shows only key rows
    (or was told to and has none), "" otherwise."""
    total = len(pm.timeline)
    if pm.report_shows_key_rows():
        return (f"_The {shown} key moments of {total} events; every event is in the post-mortem's timeline._"
                if shown != total else "")
    if pm.report.timeline == "key" and total:
        return "_No event is marked as a key moment yet: every event is shown._"
    return ""


def render_timeline(pm: PostMortem) -> str:
    if not pm.timeline:
        return EMPTY
    events = report_timeline(pm)
    rows = render_timeline_rows(events, pm.incident_date)
    table = timeline_table_head() + "\n" + "\n".join(rows)
    note = timeline_note(pm, len(events))
    return f"{note}\n\n{table}" if note else table


# -- contributing factors ---------------------------------------------------


def _category_title(category: str) -> str:
    name = category.strip() or "other"
    return _heading(name[:1].upper() + name[1:])


def render_factors(pm: PostMortem) -> str:
    whys = {w.id: w for w in pm.whys}
    parts = ["### Immediate Cause"]
    # Redacted whole before the split: a key block spans lines.
    causes = [line.strip().removeprefix("- ").strip() for line in redact(pm.immediate_cause).splitlines()]
    parts.append(_bullets([c for c in causes if c], EMPTY))

    parts.append("### Contributing Factors")
    groups: dict[str, list] = {}
    shown: dict[str, str] = {}  # a team's own category keeps the case it was typed in
    for f in pm.factors:
        name = (f.category or "other").strip() or "other"
        groups.setdefault(name.lower(), []).append(f)
        shown.setdefault(name.lower(), name)
    if not groups:
        parts.append(EMPTY)
    known = [c for c in FACTOR_CATEGORIES if c in groups and c != "other"]
    custom = [c for c in groups if c not in FACTOR_CATEGORIES]
    order = known + custom + (["other"] if "other" in groups else [])
    number = 0
    for category in order:
        parts.append(f"#### {_category_title(shown[category])}")
        items = []
        for f in groups[category]:
            number += 1
            line = f"{number}. {_inline(f.text) or EMPTY}"
            refs = [_inline(f.id)] if f.id else []
            if f.why:
                refs.append("why " + _inline(f.why))
            if refs:
                line += " _(" + "; ".join(refs) + ")_"
            items.append(line)
        # Numbering continues across categories (GFM honours a list's
        # first number), so "factor 4" means the same thing everywhere.
        parts.append("\n".join(items))
    parts.append("### Five Whys")
    parts.append(_render_whys(pm, whys))
    parts.append("### Systemic Issues")
    parts.append(_bullets(pm.systemic_issues, EMPTY))
    return "\n\n".join(parts)


def _render_whys(pm: PostMortem, whys: dict) -> str:
    chunks = []
    if pm.problem.strip():
        chunks.append(f"**Problem**: {_inline(pm.problem)}")
    chains = pm.why_chains() if whys else []
    if not chains:
        chunks.append(EMPTY)
    for n, chain in enumerate(chains, 1):
        chunks.append(f"**Chain {n}** ({len(chain)} deep)")
        chunks.append(
            "\n".join(f"{i}. {_inline(w.text) or EMPTY} _({_inline(w.id)})_" for i, w in enumerate(chain, 1))
        )
    if pm.shallow_reason.strip():
        chunks.append(f"**Why the analysis stops short of five**: {_inline(pm.shallow_reason)}")
    return "\n\n".join(chunks)


# -- action items -----------------------------------------------------------


def _tracking(item: ActionItem) -> str:
    label = f"#{item.issue}" if item.issue is not None else "issue"
    text = _link(label, item.tracker) if item.tracker.strip() else ""
    if not text and item.issue is not None:
        text = f"\\#{item.issue}"
    if item.status and item.status != "open":
        text = f"{text} ({_inline(item.status)})" if text else _inline(item.status)
    return text or "_not tracked_"


def render_action_rows(actions: Sequence) -> list[str]:
    rows = []
    for a in actions:
        rows.append(
            md.row_line(
                [
                    _cell(a.id),
                    _cell(a.action),
                    _cell(a.owner, "_unassigned_"),
                    md.fmt_date(a.deadline, "_none_"),
                    _cell(a.priority.capitalize(), "_unset_"),
                    _tracking(a),
                ]
            )
        )
    return rows


def render_actions(pm: PostMortem) -> str:
    if not pm.actions:
        return EMPTY
    return md.table(ACTION_HEADERS, []) + "\n" + "\n".join(render_action_rows(pm.actions))


# -- data gaps ---------------------------------------------------------------


def render_gaps(pm: PostMortem) -> str:
    if not pm.gaps:
        return "_No data gaps recorded._"
    day = pm.incident_date
    lines = []
    for g in pm.gaps:
        where = _inline(g.source) or "unknown source"
        span = ""
        if g.window_start and g.window_end:
            span = f" ({_hhmm(g.window_start, day)} - {_hhmm(g.window_end, day)} UTC)"
        lines.append(f"- **{where}**{span}: {_inline(g.description) or EMPTY}")
    return "\n".join(lines)


# -- assembly ------------------------------------------------------------------

# key, heading, renderer; the header carries its own `# ` title.
SECTIONS: list[tuple[str, str, Callable[[PostMortem], str]]] = [
    ("header", "Header", render_header),
    ("summary", "Summary", render_summary),
    ("impact", "Impact", render_impact),
    ("root_cause", "Root Cause and Trigger", render_root_cause),
    ("durations", "Key Durations", render_durations),
    ("timeline", "Timeline (all times UTC)", render_timeline),
    ("factors", "Contributing Factors", render_factors),
    ("actions", "Action Items", render_actions),
    ("went_well", "What Went Well", _list_section("went_well")),
    ("went_wrong", "What Went Wrong", _list_section("went_wrong")),
    ("lucky", "Where We Got Lucky", _list_section("lucky")),
    ("lessons", "Lessons Learned", _list_section("lessons")),
    ("prevention", "Prevention", render_prevention),
    ("gaps", "Data Gaps", render_gaps),
]
SECTION_KEYS = [key for key, _, _ in SECTIONS]
_BY_KEY = {key: (title, fn) for key, title, fn in SECTIONS}


def section_body(pm: PostMortem, key: str) -> str:
    """One section's Markdown without its heading (team templates give it theirs)."""
    return _BY_KEY[key][1](pm)


def render_section(pm: PostMortem, key: str) -> tuple[str, str, str]:
    """(key, title, markdown) of one section, its `## ` heading included."""
    title, fn = _BY_KEY[key]
    body = fn(pm)
    if key == "header":
        return key, title, body
    return key, title, f"## {title}\n\n{body}"


def render_sections(pm: PostMortem) -> list[tuple[str, str, str]]:
    return [render_section(pm, key) for key in SECTION_KEYS]


def render(pm: PostMortem) -> str:
    return "\n\n".join(text for _, _, text in render_sections(pm)) + "\n"
