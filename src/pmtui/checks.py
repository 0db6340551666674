"""The procedure's validation list and common pitfalls, as checks.

`run(pm)` returns one `CheckResult` per finding: a check that passes gives a
single "pass" result; one that finds problems gives one result per problem,
each located (section, row) so the app can jump to it and the command line
can say where. `blame_spans` and `vague_action` are exposed on their own so
an editor can highlight the words in place.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate, repeat
from operator import attrgetter, is_, le
from typing import Any

from pmtui import blame
from pmtui.model import PRIORITIES, PostMortem, TimelineEvent
from pmtui.textsafe import one_line

PASS, WARN, FAIL = "pass", "warn", "fail"

FIVE = 5
SHARE_WITHIN = timedelta(hours=48)
# Checks whose result changes with the clock alone; the library caches the
# others per file and runs these afresh.
NOW_DEPENDENT = frozenset({"report.shared", "actions.overdue", "review.meeting"})
FOLLOW_UP_MIN = timedelta(weeks=3)
FOLLOW_UP_MAX = timedelta(weeks=6)


@dataclass(frozen=True)
class CheckResult:
    id: str
    result: str  # pass | warn | fail
    message: str
    section: str = ""  # report section key (see report.SECTION_KEYS) or "times"
    row: int | str | None = None  # list index, or the row's id (AI-003, W4)
    suggestion: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# -- blame language ---------------------------------------------------------

_PERSON = (
    r"(?:@[\w][\w.-]*|(?:the |an |a |our )?"
    r"(?:engineer|operator|developer|dev|on-?call(?: engineer)?|sre|admin|intern|team member|reviewer))"
)
_BLAME_VERBS = (
    r"(?:caused|broke|messed up|screwed up|failed to|was responsible|is responsible|was to blame|is to blame"
    r"|ignored|missed|did not follow|didn't follow)"
)

_HINT_PERSON = (
    "Name the action and the condition that let it cause harm, not the person: "
    "e.g. \"the v2.3.0 deploy shipped a query with no index, and nothing in CI checked query plans\"."
)
_HINT_HUMAN_ERROR = (
    "\"Human error\" ends the analysis; ask what made the error possible and easy: "
    "e.g. \"the deploy tool accepted X without confirmation\"."
)
_HINT_SHOULD = (
    "Describe what the system lacked instead of what someone should have done: "
    "e.g. \"the runbook had no step for X\" or \"nothing alerted on X\"."
)
_HINT_FORGOT = (
    "Name the missing guardrail: e.g. \"the release checklist has no step for X\" "
    "or \"X is a manual step with no reminder or automation\"."
)
_HINT_JUDGEMENT = (
    "Drop the judgement of a person; describe the conditions (time pressure, missing "
    "review, confusing tooling) that made the outcome likely."
)
_HINT_FAULT = (
    "Blameless reports do not assign fault; describe the contributing conditions and "
    "which safeguards were missing."
)
_HINT_MISTAKE = (
    "Dig deeper than \"made a mistake\": what allowed the mistake, and why did nothing catch it?"
)

# (pattern, hint); each pattern is matched case-insensitively on word edges.
_BLAME_RULES: list[tuple[str, str]] = [
    (rf"{_PERSON}\s+{_BLAME_VERBS}", _HINT_PERSON),
    (r"(?:human|operator|engineer|pilot|user|manual)\s+error", _HINT_HUMAN_ERROR),
    (r"should(?:n't| not)?\s+have|should've", _HINT_SHOULD),
    (r"forgot(?:\s+to)?|neglected\s+to", _HINT_FORGOT),
    (r"careless(?:ly|ness)?|negligen(?:ce|t)|sloppy|incompeten(?:ce|t)|lazy|reckless(?:ly)?", _HINT_JUDGEMENT),
    (r"did(?:n't| not)\s+bother", _HINT_JUDGEMENT),
    (r"[\w@.-]+(?:'s|\u2019s)\s+fault|fault\s+of\s+[\w@.-]+|(?:was|is|were|are)\s+to\s+blame", _HINT_FAULT),
    (r"made\s+a\s+mistake|mistake\s+(?:by|of)\s+[\w@.-]+", _HINT_MISTAKE),
]
_BLAME_RE = re.compile(
    "|".join(f"(?P<b{i}>(?<![\\w@])(?:{p})(?![\\w]))" for i, (p, _) in enumerate(_BLAME_RULES)),
    re.IGNORECASE,
)
_BLAME_HINTS = {f"b{i}": hint for i, (_, hint) in enumerate(_BLAME_RULES)}


# Every match of a rule above holds one of these words (case-folded): a text
# with none of them cannot match, and one Aho-Corasick pass over the folded
# text says so ~50x faster than the rules' own regex (5.4 ms -> 0.1 ms for
# a file of 275 events; the library checks thousands of files).
_BLAME_ANCHORS = (
    # rule 1 (a person, then a verb): the verbs, spelt as the rule spells them
    "caused", "broke", "messed up", "screwed up", "failed to", "responsible", "to blame", "ignored", "missed",
    "did not follow", "didn't follow",
    # "<who> error": the who, since "error" fills incident timelines
    "human", "operator", "engineer", "pilot", "user", "manual",
    "should", "forgot", "neglected", "careless", "negligen", "sloppy", "incompeten", "lazy", "reckless",
    "bother", "fault", "blame", "mistake",
)
_blame_anchors = None


def _may_blame(folded: str) -> bool:
    """`folded`: a text as `_fold` gives it."""
    global _blame_anchors
    if _blame_anchors is None:
        import ahocorasick_rs

        _blame_anchors = ahocorasick_rs.AhoCorasick(_BLAME_ANCHORS)
    return bool(_blame_anchors.find_matches_as_indexes(folded, overlapping=False))


def _fold(text: str) -> str:
    # re.IGNORECASE also equates dotless and dotted capital i with i.
    return text.casefold().replace("\u0131", "i").replace("\u0307", "")


# A word every fixed phrase above holds, or every "fault put on a person"
# of pmtui.blame (caused by, due to, because of, blamed on, a fault noun),
# matched in the case-folded text: a text with none of them and no person
# named is skipped after one scan of literals (the full patterns cost
# ~25 us a text: 2.5 s for a 100,000-event timeline).
_BLAME_WORDS = re.compile(
    "caused|broke|messed|screwed|failed|responsible|blame|ignored|missed|follow|error|should|forgot|neglected"
    "|careless|negligen|sloppy|incompeten|lazy|reckless|bother|fault|mistake"
    "|due|because|oversight|screw|blunder|slip|bad"
)


# A word every finding of pmtui.blame's about a person named holds (its
# predicates: a cause, an omission or negation, a judgement, a harmful
# object, production, "without", a careless adverb): without one, the
# person search (the costly pattern) is skipped. tests/unit/test_checks_
# prefilter.py holds the skipping to the full patterns' results.
_PREDICATE_WORDS = re.compile(
    "caused|broke|brought|took|knocked|crashed|messed|screwed|botched|borked|ruined|blew|nuked|wiped|fat|fumbled"
    "|responsible|blame|fault|not|didn|never|failed|neglected|forgot|omitted|chose|decided|refused|bother"
    "|missed|ignored|overlooked|skipped|disregarded|bypassed|circumvented|misread|misconfigured|mistyped"
    "|misjudged|underestimated|dismissed|silenced|snoozed|careless|negligent|sloppy|lazy|reckless|incompetent"
    "|inattentive|distracted|asleep|unprepared|clueless|irresponsible|attention|bad|wrong|broken|faulty|buggy"
    "|incorrect|invalid|untested|unreviewed|malformed|corrupt|bogus|defective|flawed|dangerous|risky|unfinished"
    "|typo|bug|regression|mistake|error|breaking|unsafe|unvalidated|unchecked|prod|live|primary|master|main"
    "|customer|without|accidentally|mistakenly|inadvertently|carelessly|wrongly|incorrectly|blindly|recklessly"
    "|hastily|unknowingly"
)


def _literals(pattern: re.Pattern[str]) -> list[str]:
    return pattern.pattern.split("|")


@lru_cache(maxsize=1)
def _keywords() -> Any:
    import ahocorasick_rs

    # the DFA: 34 ms instead of 40 over 100,000 events (the same matches)
    return ahocorasick_rs.AhoCorasick(sorted({*_literals(_BLAME_WORDS), *_literals(_PREDICATE_WORDS)}),
                                      implementation=ahocorasick_rs.Implementation.DFA)


def blame_spans_many(texts: Sequence[str], people: blame.People | None = None) -> list[list[tuple[int, int, str, str]]]:
    """blame_spans of each text, for many texts (a timeline's events): one
    Aho-Corasick pass over them all finds the few that hold a word any
    finding needs, and only those are looked at closely (Python's regular
    expressions try a long alternation at every character: 3 us a text)."""
    out: list[list[tuple[int, int, str, str]]] = [[] for _ in texts]
    for i, spans in blame_spans_found(texts, people).items():
        out[i] = spans
    return out


def blame_spans_found(texts: Sequence[str],
                      people: blame.People | None = None) -> dict[int, list[tuple[int, int, str, str]]]:
    """blame_spans_many as {index: spans} for the texts with a finding only
    (at 100,000 events a list per text cost more than the search)."""
    sep = "\n\x00\n"  # no keyword holds it, so no match crosses from one text to the next
    out: dict[int, list[tuple[int, int, str, str]]] = {}
    for lo in range(0, len(texts), _BATCH):  # a few thousand at a time: little held at once
        batch = texts[lo : lo + _BATCH]
        joined = sep.join(batch)
        if joined.isascii():  # folding keeps every length: one call for the batch
            starts = list(accumulate(map(len(sep).__add__, map(len, batch)), initial=0))
            folded_text = joined.lower()
        else:
            folded = list(map(_fold, batch))
            starts = list(accumulate(map(len(sep).__add__, map(len, folded)), initial=0))
            folded_text = sep.join(folded)
        hits = _keywords().find_matches_as_indexes(folded_text)
        for i in sorted({bisect_right(starts, start) - 1 for _word, start, _end in hits}):
            spans = blame_spans(texts[lo + i], people)
            if spans:
                out[lo + i] = spans
    return out


_BATCH = 5_000


def blame_spans(text: str, people: blame.People | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, phrase, hint) for each piece of blame language in `text`:
    the fixed phrases, and (pmtui.blame) sentences that put fault on one of
    `people` or on "the engineer", with a systems-first rewrite in the hint."""
    if not text:
        return []
    folded = _fold(text)
    if _BLAME_WORDS.search(folded) is None and (
            _PREDICATE_WORDS.search(folded) is None
            or (people or blame.cached_people(())).mention.search(text) is None):
        return []  # no phrase can match, and no one is named as doing harm
    spans = []
    for m in _BLAME_RE.finditer(text) if _may_blame(folded) else ():
        key = m.lastgroup or ""
        spans.append((m.start(), m.end(), m.group(), _BLAME_HINTS.get(key, _HINT_PERSON)))
    for f in blame.findings(text, people):
        overlapping = [i for i, s in enumerate(spans) if s[0] < f.end and f.start < s[1]]
        if not overlapping:
            spans.append((f.start, f.end, f.phrase, f.suggestion))
        elif f.rewrite:
            # The fixed phrase keeps its place; its hint gains the rewrite.
            i = overlapping[0]
            spans[i] = (*spans[i][:3], f.suggestion)
    return sorted(spans)


# -- vague action items -------------------------------------------------------

_HINT_MONITORING = (
    "Name the metric, where it shows and when it alerts: \"Add <metric> to <dashboard> and "
    "alert when it exceeds <threshold> for <duration>\"."
)
_HINT_TESTING = (
    "Name the test and where it runs: \"Add a load test of <query/endpoint> at <N>x peak "
    "traffic to the CI pipeline\"."
)
_HINT_INVESTIGATE = (
    "An investigation is not a deliverable: state the question and the output, e.g. "
    "\"Write a one-page analysis of <X> with follow-up items, reviewed at <meeting>\" — or "
    "write the fix you expect."
)
_HINT_CAREFUL = (
    "Care cannot be tracked; add a guardrail instead: e.g. \"Add a CI check that blocks "
    "<risky change> unless <condition>\"."
)
_HINT_GENERIC = (
    "Make it verifiable: \"<Add/Create/Automate> <artifact> in <place> so that "
    "<measurable result>\"."
)

# Always vague: no amount of detail after them makes a deliverable.
_VAGUE_ALWAYS: list[tuple[str, str]] = [
    (r"be\s+(?:more\s+)?(?:careful|vigilant|diligent|cautious)", _HINT_CAREFUL),
    (r"pay\s+(?:more\s+)?attention", _HINT_CAREFUL),
    (r"(?:remember|try)\s+to|double[- ]check", _HINT_CAREFUL),
    (r"raise\s+awareness|communicate\s+better", _HINT_GENERIC),
    (r"investigate|look\s+into|think\s+about|explore|dig\s+into", _HINT_INVESTIGATE),
    (r"as\s+needed|if\s+needed|where\s+possible|etc\.?|and\s+so\s+on", _HINT_GENERIC),
]
# Vague unless the item names something measurable (a number, a threshold).
_VAGUE_UNLESS_MEASURABLE: list[tuple[str, str]] = [
    (r"(?:improve|enhance|better|more|increase|strengthen)\s+(?:the\s+|our\s+)?"
     r"(?:monitoring|alerting|observability|metrics|visibility|dashboards?)", _HINT_MONITORING),
    (r"(?:improve|enhance|better|more|increase|strengthen)\s+(?:the\s+|our\s+)?"
     r"(?:testing|tests|test\s+coverage|qa|validation)", _HINT_TESTING),
    (r"(?:improve|enhance|better|strengthen|optimi[sz]e)\b", _HINT_GENERIC),
]
_ALWAYS_RE = [(re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE), h) for p, h in _VAGUE_ALWAYS]
_UNLESS_RE = [(re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE), h) for p, h in _VAGUE_UNLESS_MEASURABLE]
_MEASURABLE_RE = re.compile(r"\d")
# A named deliverable ("...by adding an alert") rescues an "improve ..." item.
_CONCRETE_RE = re.compile(
    r"(?<!\w)(?:add|create|write|implement|automate|configure|set|enable|deploy|replace|remove|"
    r"migrate|document|publish|schedule|block|require|build|install|raise|lower|cap|limit)(?:s|es|ed|ing)?(?!\w)",
    re.IGNORECASE,
)
_MIN_WORDS = 4


def vague_action(text: str) -> str | None:
    """A rewrite hint when the action item has no measurable deliverable,
    None when it reads as concrete."""
    text = text.strip()
    if not text:
        return "Write the action: what will exist when it is done, and where."
    for rx, hint in _ALWAYS_RE:
        if rx.search(text):
            return hint
    if not _MEASURABLE_RE.search(text) and not _CONCRETE_RE.search(text):
        for rx, hint in _UNLESS_RE:
            if rx.search(text):
                return hint
    if len(text.split()) < _MIN_WORDS:
        return "Too short to say what will exist when it is done. " + _HINT_GENERIC
    return None


# -- where prose lives ----------------------------------------------------------


def _quote(text: str) -> str:
    return f"\u201c{one_line(text, 40)}\u201d"


def event_place(event: TimelineEvent) -> str:
    """Where a timeline row is, as a person finds it: its time and words."""
    when = event.time.astimezone(UTC).strftime("%H:%M:%S") if event.time.tzinfo else event.time.strftime("%H:%M:%S")
    return f"timeline {when} {_quote(event.event)}"


def prose_fields(pm: PostMortem) -> Iterator[tuple[str, int | str | None, str, str]]:
    """(section, row, where, text) for every piece of free text a reader
    sees as analysis; `where` names the place as a person finds it (the
    row's time and words, an id), never a list index. Names in the Actor
    column, authors, reviewers and owners are people by design, so they
    are not here."""
    for section, row, where, text in _prose(pm):
        yield section, row, where if isinstance(where, str) else event_place(where), text


def _prose(pm: PostMortem) -> Iterator[tuple[str, int | str | None, str | TimelineEvent, str]]:
    """prose_fields with a timeline row's place left to be named (the row
    itself): naming it formats its time and quotes its words, 0.25 s over
    100,000 rows of which only the few with a finding need it."""
    yield from _prose_head(pm)
    for i, ev in enumerate(pm.timeline):
        yield "timeline", i, ev, ev.event
    yield from _prose_tail(pm)


def _prose_head(pm: PostMortem) -> Iterator[tuple[str, int | str | None, str, str]]:
    """_prose before the timeline's rows."""
    yield "header", None, "title", pm.title
    yield "summary", None, "summary", pm.summary
    yield "impact", None, "impact", pm.impact.description
    yield "root_cause", None, "root cause", pm.root_cause
    yield "root_cause", None, "trigger", pm.trigger
    yield "factors", None, "immediate cause", pm.immediate_cause
    yield "factors", None, "problem", pm.problem
    yield "factors", None, "why the chains stop short", pm.shallow_reason


def _prose_tail(pm: PostMortem) -> Iterator[tuple[str, int | str | None, str, str]]:
    """_prose after the timeline's rows."""
    for w in pm.whys:
        yield "factors", w.id, f"why {w.id}", w.text
    for f in pm.factors:
        yield "factors", f.id, f"factor {f.id}", f.text
    for i, s in enumerate(pm.systemic_issues):
        yield "factors", i, f"systemic issue {_quote(s)}", s
    for a in pm.actions:
        yield "actions", a.id, a.id, a.action
    for key in ("went_well", "went_wrong", "lucky", "lessons"):
        for i, s in enumerate(getattr(pm, key)):
            yield key, i, f"{_LIST_NAMES[key]} {_quote(s)}", s
    yield "prevention", None, "prevention", pm.prevention
    for i, g in enumerate(pm.gaps):
        yield "gaps", i, f"gap from {one_line(g.source, 30)}", g.description


_LIST_NAMES = {"went_well": "went well", "went_wrong": "went wrong", "lucky": "lucky", "lessons": "lesson"}


# -- the checks -------------------------------------------------------------------


def _is_utc(when: datetime | None) -> bool:
    return when is not None and when.tzinfo is not None and when.utcoffset() == timedelta(0)


def _fmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if when.tzinfo else when.isoformat()


_ALL_TIMES = ("started", "detected", "mitigated", "resolved")


def _and(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def check_times(pm: PostMortem, now: datetime, needed: tuple[str, ...] = _ALL_TIMES) -> list[CheckResult]:
    """`needed`: a near-miss (team conventions) may have no detection or mitigation."""
    t = pm.times
    started, resolved = t.started, t.resolved
    detected = t.detected or (t.started if "detected" not in needed else None)
    mitigated = t.mitigated or (t.started if "mitigated" not in needed else None)
    if started is None or detected is None or mitigated is None or resolved is None:
        missing = [name for name in needed if getattr(t, name) is None]
        return [
            CheckResult(
                "times.recorded", FAIL, "incident times missing: " + ", ".join(missing), "durations",
                suggestion="Set them from the timeline (first symptom, first alert, mitigation, all clear) "
                "so TTD, TTM and TTR can be computed.",
            )
        ]
    if not all(_is_utc(x) for x in (started, detected, mitigated, resolved)):
        return [CheckResult("times.recorded", FAIL, "incident times must be in UTC", "durations",
                            suggestion="Write them with a Z suffix, e.g. 2025-02-09T10:05:23Z.")]
    if not (started <= detected <= resolved and started <= mitigated <= resolved):
        return [
            CheckResult(
                "times.recorded", FAIL,
                "incident times out of order: expected started <= detected, mitigated <= resolved", "durations",
                suggestion="Check each against the timeline; a time typed in local time is a common cause.",
            )
        ]
    return [CheckResult("times.recorded", PASS, f"{_and(needed)} are recorded", "durations")]


_NEEDED_KINDS = ("detection", "mitigation", "resolution")


def check_timeline_complete(pm: PostMortem, now: datetime, kinds: tuple[str, ...] = _NEEDED_KINDS) -> list[CheckResult]:
    cid = "timeline.complete"
    if not pm.timeline:
        return [CheckResult(cid, FAIL, "the timeline has no events", "timeline",
                            suggestion="Collect logs, metrics and alerts for the incident window and add "
                            "the first symptom, detection, mitigation and resolution.")]
    out = []
    present = set(map(attrgetter("kind"), pm.timeline))
    lacking = [k for k in kinds if k not in present]
    if lacking:
        out.append(CheckResult(cid, FAIL, "no timeline event of kind: " + ", ".join(lacking), "timeline",
                               suggestion="Mark the events where the incident was detected, mitigated and "
                               "resolved with those kinds."))
    if _all_utc(pm.timeline):
        times = list(map(attrgetter("time"), pm.timeline))
    else:
        times = [ev.time for ev in pm.timeline if ev.time is not None and ev.time.tzinfo is not None]
    t = pm.times
    if times and t.started is not None and t.started.tzinfo is not None and min(times) > t.started:
        out.append(CheckResult(cid, FAIL, f"the timeline starts after the incident started ({_fmt(t.started)})",
                               "timeline", suggestion="Add the first symptom at the start time."))
    if times and t.resolved is not None and t.resolved.tzinfo is not None and max(times) < t.resolved:
        out.append(CheckResult(cid, FAIL, f"the timeline ends before the incident was resolved ({_fmt(t.resolved)})",
                               "timeline", suggestion="Add the event that marked the incident resolved."))
    if not out:
        out.append(CheckResult(cid, PASS, f"{len(pm.timeline)} events from first symptom to resolution", "timeline"))
    return out


def _all_utc(events: list) -> bool:
    """Every event's time is an aware UTC datetime (what the store reads):
    told at C speed, so the checks below walk the rows only when not."""
    times = list(map(attrgetter("time"), events))
    return all(map(is_, map(type, times), repeat(datetime))) and all(
        map(is_, map(attrgetter("tzinfo"), times), repeat(UTC)))


def check_timeline_utc(pm: PostMortem, now: datetime) -> list[CheckResult]:
    if _all_utc(pm.timeline):
        return [CheckResult("timeline.utc", PASS, "every event time is UTC", "timeline")]
    bad = [CheckResult("timeline.utc", FAIL, f"event time {ev.time!s} is not UTC", "timeline", i,
                       "Store every time in UTC (a Z suffix); convert local times when you enter them.")
           for i, ev in enumerate(pm.timeline) if not _is_utc(ev.time)]
    return bad or [CheckResult("timeline.utc", PASS, "every event time is UTC", "timeline")]


def check_timeline_order(pm: PostMortem, now: datetime) -> list[CheckResult]:
    if _all_utc(pm.timeline):
        times = list(map(attrgetter("time"), pm.timeline))
        if all(map(le, times[:-1], times[1:])):
            return [CheckResult("timeline.order", PASS, "the timeline is in chronological order", "timeline")]
    prev = None
    for i, ev in enumerate(pm.timeline):
        if ev.time is None or ev.time.tzinfo is None:
            continue
        if prev is not None and ev.time < prev:
            return [CheckResult("timeline.order", FAIL,
                                f"event {i + 1} ({_fmt(ev.time)}) comes before the one above it",
                                "timeline", i, "Sort the timeline by time (the app's sort command, or move the row).")]
        prev = ev.time
    return [CheckResult("timeline.order", PASS, "the timeline is in chronological order", "timeline")]


def check_factors(pm: PostMortem, now: datetime, minimum: int = 2) -> list[CheckResult]:
    n = len([f for f in pm.factors if f.text.strip()])
    if n >= minimum:
        cats = {f.category for f in pm.factors}
        return [CheckResult("factors.multiple", PASS, f"{n} contributing factors in {len(cats)} categories", "factors")]
    return [CheckResult("factors.multiple", FAIL, f"{n} contributing factor(s); at least {minimum} expected", "factors",
                        suggestion="Incidents rarely have one cause: look at monitoring, testing, runbooks, "
                        "capacity and process around the trigger.")]


def check_whys(pm: PostMortem, now: datetime, depth: int = FIVE) -> list[CheckResult]:
    chains = pm.why_chains()
    deepest = max((len(c) for c in chains), default=0)
    if deepest >= depth:
        return [CheckResult("whys.depth", PASS, f"deepest why chain is {deepest} deep", "factors")]
    if pm.shallow_reason.strip():
        return [CheckResult("whys.depth", WARN, f"deepest why chain is {deepest} deep; reason given for stopping",
                            "factors", suggestion="Revisit the reason in the follow-up review.")]
    return [CheckResult("whys.depth", FAIL, f"deepest why chain is {deepest} deep; {depth} expected", "factors",
                        suggestion="Keep asking why from the deepest answer, or state why the analysis stops "
                        "(shallow_reason).")]


def check_actions_complete(pm: PostMortem, now: datetime) -> list[CheckResult]:
    if not pm.actions:
        return [CheckResult("actions.complete", FAIL, "no action items", "actions",
                            suggestion="Each contributing factor should lead to at least one action item.")]
    out = []
    for a in pm.actions:
        lacking = []
        if not a.owner.strip():
            lacking.append("owner")
        if a.deadline is None:
            lacking.append("deadline")
        if a.priority not in PRIORITIES:
            lacking.append("priority")
        if lacking:
            out.append(CheckResult("actions.complete", FAIL, f"{a.id} has no " + ", ".join(lacking), "actions", a.id,
                                   "Every item needs an owner (@handle), a deadline date and a priority "
                                   "(high, medium, low)."))
    return out or [CheckResult("actions.complete", PASS,
                               f"all {len(pm.actions)} action items have owner, deadline and priority", "actions")]


def check_actions_specific(pm: PostMortem, now: datetime) -> list[CheckResult]:
    out = []
    for a in pm.actions:
        hint = vague_action(a.action)
        if hint:
            out.append(CheckResult("actions.specific", FAIL, f"{a.id} is vague: {a.action.strip()!r}", "actions", a.id,
                                   hint))
    return out or [CheckResult("actions.specific", PASS, "every action item names a concrete deliverable", "actions")]


_TRACKER_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


def check_actions_tracked(pm: PostMortem, now: datetime) -> list[CheckResult]:
    out = [
        CheckResult("actions.tracked", FAIL, f"{a.id} has no tracker link", "actions", a.id,
                    "Create the issue (pmtui export) or paste its URL into the item's tracker field.")
        for a in pm.actions if not _TRACKER_RE.match(a.tracker.strip())
    ]
    if not pm.actions:
        return [CheckResult("actions.tracked", WARN, "no action items to track", "actions")]
    return out or [CheckResult("actions.tracked", PASS, "every action item is tracked", "actions")]


def check_actions_overdue(pm: PostMortem, now: datetime) -> list[CheckResult]:
    """Open items past their deadline: "if action items languish, incidents
    will recur". High priority fails; the rest warn."""
    today = now.astimezone(UTC).date()
    out = []
    for a in pm.actions:
        if a.status == "done" or a.deadline is None or a.deadline >= today:
            continue
        late = (today - a.deadline).days
        result = FAIL if a.priority == "high" else WARN
        owner = f" ({a.owner.strip()})" if a.owner.strip() else ""
        out.append(CheckResult(
            "actions.overdue", result,
            f"{a.id}{owner} is {a.status}, {late} day{'s' if late != 1 else ''} past its deadline "
            f"{a.deadline.isoformat()}", "actions", a.id,
            "Finish it, or agree a new deadline with its owner and write it down; mark it done when the "
            "change has shipped."))
    if out:
        return out
    still_open = sum(1 for a in pm.actions if a.status != "done")
    return [CheckResult("actions.overdue", PASS, f"no open action item is past its deadline ({still_open} open)",
                        "actions")]


def check_blame(pm: PostMortem, now: datetime, people: blame.People | None = None) -> list[CheckResult]:
    out = []
    people = people or blame.people_in(pm)
    # The timeline's rows are taken straight from the list, not through
    # _prose's generator (a tuple per row: 25 ms at 100,000 events); the
    # fields keep _prose's order, so the results do too.
    head, rows, tail = list(_prose_head(pm)), pm.timeline, list(_prose_tail(pm))
    texts = [f[3] for f in head]
    texts += [ev.event for ev in rows]
    texts += [f[3] for f in tail]
    # One pass over all the prose (checks.blame_spans_found): no finding
    # without one of the words blame_spans looks for first, found by one
    # Aho-Corasick pass over the texts joined. The library checks
    # thousands of files (5.5 -> 0.4 ms for one of 275 events); searching
    # the people's patterns over 100,000 events instead took 2.7 s.
    first_row, n_rows = len(head), len(rows)
    for k, spans in sorted(blame_spans_found(texts, people).items()):
        if k < first_row:
            section, row, field_name, _text = head[k]
        elif k < first_row + n_rows:
            section, row, field_name = "timeline", k - first_row, event_place(rows[k - first_row])
        else:
            section, row, field_name, _text = tail[k - first_row - n_rows]
        for _start, _end, phrase, hint in spans:
            out.append(CheckResult("language.blameless", FAIL, f"{field_name}: blame language {phrase!r}",
                                   section, row, hint))
    return out or [CheckResult("language.blameless", PASS, "no blame language found", "")]


def check_follow_up(pm: PostMortem, now: datetime, lo: timedelta = FOLLOW_UP_MIN,
                    hi: timedelta = FOLLOW_UP_MAX) -> list[CheckResult]:
    cid = "review.follow_up"
    when = pm.follow_up_date
    if when is None:
        return [CheckResult(cid, FAIL, "no follow-up review date (and no incident start to derive one)", "header",
                            suggestion="Set follow_up about four weeks after the incident.")]
    day = pm.incident_date
    if day is not None:
        gap = when - day
        if not lo <= gap <= hi:
            return [CheckResult(cid, FAIL,
                                f"follow-up review {when.isoformat()} is {gap.days} days after the incident; "
                                f"{lo.days} to {hi.days} days expected", "header",
                                suggestion="Action items need time to land and a review before they go stale: "
                                "about four weeks out.")]
    if pm.follow_up is None:
        return [CheckResult(cid, WARN, f"follow-up review defaults to {when.isoformat()}; not scheduled explicitly",
                            "header", suggestion="Book the review and set follow_up to its date.")]
    return [CheckResult(cid, PASS, f"follow-up review scheduled for {when.isoformat()}", "header")]


def check_shared(pm: PostMortem, now: datetime, within: timedelta = SHARE_WITHIN) -> list[CheckResult]:
    cid = "report.shared"
    hours = int(within.total_seconds() // 3600)
    resolved = pm.times.resolved
    if resolved is None:
        return [CheckResult(cid, WARN, f"incident not resolved yet; sharing is due {hours} h after resolution",
                            "header")]
    due = resolved + within
    if pm.shared is None:
        if now <= due:
            return [CheckResult(cid, WARN, f"not shared yet; due by {_fmt(due)}", "header",
                                suggestion="Share the report with the team and stakeholders, then set shared.")]
        return [CheckResult(cid, FAIL, f"not shared within {hours} hours of resolution (due {_fmt(due)})", "header",
                            suggestion="Share it now and set shared; insights grow stale after a week.")]
    if pm.shared < resolved:
        return [CheckResult(cid, WARN, "shared before the incident was resolved; share the final report too", "header")]
    if pm.shared > due:
        late = pm.shared - resolved
        late_hours = int(late.total_seconds() // 3600)
        return [CheckResult(cid, WARN, f"shared {late_hours} h after resolution (target {hours} h)",
                            "header", suggestion="Note what delayed it; schedule post-mortem time up front.")]
    return [CheckResult(cid, PASS, f"shared {_fmt(pm.shared)}, within {hours} h of resolution", "header")]


def check_content(pm: PostMortem, now: datetime, impact: bool = True) -> list[CheckResult]:
    """`impact=False`: a near-miss harmed nobody, so no impact to describe."""
    empty = [key for key, text in (("summary", pm.summary), ("impact", pm.impact.description),
                                   ("root_cause", pm.root_cause), ("lessons", " ".join(pm.lessons)))
             if not text.strip() and (impact or key != "impact")]
    out = [CheckResult("content.filled", WARN, f"section {key} is empty", key) for key in empty]
    return out or [CheckResult("content.filled", PASS, "summary, impact, root cause and lessons are written", "")]


CHECKS: list[tuple[str, str, Callable[[PostMortem, datetime], list[CheckResult]]]] = [
    ("times.recorded", "Incident times recorded in UTC", check_times),
    ("timeline.complete", "Timeline complete", check_timeline_complete),
    ("timeline.order", "Timeline chronological", check_timeline_order),
    ("timeline.utc", "Timeline in UTC", check_timeline_utc),
    ("factors.multiple", "Multiple contributing factors", check_factors),
    ("whys.depth", "Five whys deep", check_whys),
    ("actions.complete", "Action items have owner, deadline, priority", check_actions_complete),
    ("actions.specific", "Action items are specific", check_actions_specific),
    ("actions.tracked", "Action items tracked", check_actions_tracked),
    ("actions.overdue", "Action items on time", check_actions_overdue),
    ("language.blameless", "Blameless language", check_blame),
    ("review.follow_up", "Follow-up review scheduled", check_follow_up),
    ("report.shared", "Shared within 48 hours", check_shared),
    ("content.filled", "Key sections written", check_content),
]


def run(pm: PostMortem, *, now: datetime | None = None) -> list[CheckResult]:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    results: list[CheckResult] = []
    for _cid, _title, fn in CHECKS:
        results.extend(fn(pm, now))
    return results


def summary(results: list[CheckResult]) -> dict[str, int]:
    counts = {PASS: 0, WARN: 0, FAIL: 0}
    for r in results:
        counts[r.result] += 1
    return counts


def exit_code(results: list[CheckResult]) -> int:
    return 1 if any(r.result == FAIL for r in results) else 0
