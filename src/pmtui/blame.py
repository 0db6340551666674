"""Blame language that names people: "Bob caused the outage", "Alice did
not check the dashboard", "Carol pushed a bad config".

checks.blame_spans knows fixed phrases and @handles; this knows the
people of the post-mortem and the team (authors, reviewers, owners, roles,
the roster's names and aliases, @actors of the timeline) and looks at the
sentence: a person (or "the engineer", "he", "someone") as the subject of
a verb that assigns fault — a cause (caused, broke, took down), an
omission (did not check, forgot to renew, missed, ignored), a bad thing
introduced (pushed a bad config, merged an untested change), a careless
adverb (accidentally deleted) — or fault put on a person ("caused by Bob",
"Bob's mistake"). An action in the timeline ("@alice rolled back at
10:22") is what the timeline is for and is not flagged. Each finding
carries a systems-first rewrite when the sentence allows one ("A bad config
was pushed to production").

Hand-written rules rather than a parser: a dependency parser needs model
weights this project cannot ship, and a labelled corpus
(tests/data/blame_corpus.toml, benchmarks/bench_blame_lint.py) measures
these rules' precision and recall.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

HINT_CAUSE = ("Blameless reports name the change or condition that caused it, and the safeguard that was "
              "missing, not the person.")
HINT_OMISSION = ("Say what did not happen and why nothing prompted it (no alert, no runbook step, no reminder), "
                 "not who did not do it.")
HINT_INTRODUCED = ("Say what reached production and which check (review, validation, canary, CI) would have "
                   "stopped it, not who pushed it.")
HINT_CARELESS = ("Drop the judgement; describe the conditions (tooling, time pressure, missing guardrail) that "
                 "made it easy.")
HINT_ATTRIBUTION = ("Fault is not put on people in a blameless report: describe the change or decision and what "
                    "allowed it.")


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    phrase: str
    hint: str
    rewrite: str = ""  # the sentence systems-first, when one can be made

    @property
    def suggestion(self) -> str:
        return f'{self.hint} Systems-first: "{self.rewrite}"' if self.rewrite else self.hint


# -- words ---------------------------------------------------------------------------------

_GENERIC = (r"(?:(?:the|an?|our|one|another|their|his|her)\s+)?(?:on-?call(?:\s+engineer)?|engineer|developer|dev|"
            r"operator|sre|admin(?:istrator)?|intern|new\s+hire|team\s+member|reviewer|contractor|dba|"
            r"release\s+manager)|someone|somebody|he|she")
_ADVERBS = (r"accidentally|mistakenly|inadvertently|carelessly|wrongly|incorrectly|blindly|recklessly|hastily|"
            r"apparently|then|also|just|again|still|already|quickly|simply|unknowingly|manually|later|first|finally")
_CARELESS = (r"accidentally|mistakenly|inadvertently|carelessly|wrongly|incorrectly|blindly|recklessly|hastily|"
             r"unknowingly")
_CAUSE = (r"caused|broke|brought\s+down|took\s+down|knocked\s+(?:over|out)|crashed|messed\s+up|screwed\s+up|botched|"
          r"borked|ruined|blew\s+up|nuked|wiped\s+out|fat-?fingered|fumbled|"
          r"(?:is|was|were|are)\s+(?:responsible|to\s+blame|at\s+fault)\s+for")
_FAULT_END = r"(?:is|was|were|are)\s+(?:responsible|to\s+blame|at\s+fault)(?=\s*(?:[.;,!?]|$))"
_NEGATION = (r"did\s+not|didn't|didnt|never|failed\s+to|neglected\s+to|forgot\s+to|omitted\s+to|chose\s+not\s+to|"
             r"decided\s+not\s+to|refused\s+to|(?:did\s+not|didn't)\s+bother\s+to|could\s+not\s+be\s+bothered\s+to")
# Verbs whose negation is about what reached the person, not their fault.
_NOT_FAULT = {"receive", "get", "have", "hear", "know", "need", "expect", "want", "mean", "lose"}
_MISS = (r"missed|ignored|overlooked|skipped|disregarded|bypassed|circumvented|misread|misconfigured|mistyped|"
         r"misjudged|underestimated|forgot|neglected|dismissed|silenced|snoozed|acked\s+and\s+ignored")
_INTRO = (r"pushed|deployed|shipped|merged|committed|applied|ran|executed|released|rolled\s+out|changed|edited|set|"
          r"configured|approved|wrote|typed|entered|uploaded|published|sent|created|added|enabled|launched|introduced|"
          r"made|started|triggered|modified|updated|upgraded|downgraded|scaled|resized|migrated|reviewed|accepted|"
          r"signed\s+off\s+on|checked\s+in|landed|rushed|forced|force-pushed")
_DESTROY = r"deleted|dropped|truncated|wiped|overwrote|purged|destroyed|killed|removed|erased|shut\s+down|reset"
_HARM = (r"bad|wrong|broken|faulty|buggy|incorrect|invalid|untested|unreviewed|malformed|corrupt(?:ed)?|bogus|"
         r"misconfigured|defective|flawed|dangerous|risky|half-finished|unfinished|typo|bug|bugs|regression|"
         r"mistake|errors?|breaking|careless|sloppy|unsafe|unvalidated|unchecked")
_REMEDY = r"stuck|hung|runaway|failing|faulty|bad|broken|stale|orphaned|leaking|zombie|looping|offending|problematic"
_PROD = r"prod|production|live|primary|master|main|customer|customers'?"
_JUDGE = (r"(?:is|was|were|are|got|seemed)\s+(?:being\s+)?(?:careless|negligent|sloppy|lazy|reckless|incompetent|"
          r"inattentive|distracted|asleep|unprepared|clueless|irresponsible)|(?:was|wasn't|were|weren't|was\s+not)\s+"
          r"(?:not\s+)?paying\s+attention")
_BOUNDARY = (r"to|at|in|on|into|onto|for|from|with|without|before|after|during|because|when|while|until|since|by|"
             r"via|so|and|but|or|which|that|who|as|despite|although|though|then|than|if|unless|where|even|around|"
             r"about|under|over|across|through|again|twice")
_PARTICLE = r"at|up|back|out|off|over|into|through|on"
_FAULT_NOUN = (r"mistake|error|fault|oversight|negligence|carelessness|screw-?up|blunder|slip|"
               r"bad\s+(?:change|deploy|push|commit|config)")

_IRREGULAR = {
    "broke": "broken", "took": "taken", "ran": "run", "wrote": "written", "made": "made", "set": "set", "sent": "sent",
    "began": "begun", "brought": "brought", "did": "done", "forgot": "forgotten", "saw": "seen", "gave": "given",
    "put": "put", "shut": "shut", "cut": "cut", "read": "read", "hit": "hit", "let": "let", "overrode": "overridden",
    "drove": "driven", "undid": "undone", "knew": "known", "threw": "thrown", "blew": "blown", "chose": "chosen",
    "froze": "frozen", "spun": "spun", "hung": "hung", "built": "built", "overwrote": "overwritten",
    "run": "run", "write": "written", "see": "seen", "take": "taken", "do": "done", "give": "given",
    "send": "sent", "make": "made", "know": "known", "begin": "begun", "build": "built", "tell": "told",
    "find": "found", "pay": "paid", "hold": "held", "keep": "kept", "lead": "led", "leave": "left", "meet": "met",
    "understand": "understood", "catch": "caught", "bring": "brought", "think": "thought", "spin": "spun",
    "hang": "hung", "choose": "chosen", "drive": "driven", "freeze": "frozen", "throw": "thrown",
    "rebuild": "rebuilt", "rerun": "rerun", "undo": "undone", "override": "overridden", "stop": "stopped",
    "plan": "planned", "ship": "shipped", "drop": "dropped", "skip": "skipped", "commit": "committed",
    "submit": "submitted", "omit": "omitted", "tag": "tagged", "log": "logged", "flag": "flagged", "pin": "pinned",
    "scan": "scanned", "map": "mapped", "step": "stepped", "wrap": "wrapped", "rotate": "rotated", "ack": "acked",
    "forget": "forgotten", "shut down": "shut down", "get": "got",
}
_CAUSE_PARTICIPLE = {"caused": "caused", "crashed": "crashed", "ruined": "ruined", "botched": "botched",
                     "borked": "borked", "nuked": "nuked", "fumbled": "fumbled"}
_OMISSION_WORD = {"missed": "missed", "ignored": "not acted on", "overlooked": "overlooked", "skipped": "skipped",
                  "disregarded": "not acted on", "bypassed": "bypassed", "circumvented": "bypassed",
                  "misread": "misread", "misconfigured": "misconfigured", "mistyped": "mistyped",
                  "misjudged": "misjudged", "underestimated": "underestimated", "forgot": "forgotten",
                  "neglected": "not looked after", "dismissed": "dismissed", "silenced": "silenced",
                  "snoozed": "snoozed"}


def participle(verb: str) -> str:
    """The past participle of a base or past-tense verb (phrasal verbs keep
    their particle): check -> checked, broke -> broken, roll back -> rolled back."""
    words = verb.lower().split()
    head, tail = words[0], words[1:]
    if verb.lower() in _IRREGULAR:
        return _IRREGULAR[verb.lower()]
    if head in _IRREGULAR:
        out = _IRREGULAR[head]
    elif head.endswith("ed"):
        out = head
    elif head.endswith("e"):
        out = head + "d"
    elif head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
        out = head[:-1] + "ied"
    else:
        out = head + "ed"
    return " ".join([out, *tail])


# -- people -----------------------------------------------------------------------------


def _forms(name: str) -> set[str]:
    """How prose may write a person: @handle, Handle, Full Name, First."""
    name = name.strip()
    if not name:
        return set()
    out = set()
    if name.startswith("@"):
        bare = name[1:]
        out.add(re.escape(name))
        if len(bare) >= 3:
            out.add(re.escape(bare[:1].upper() + bare[1:]))
        return out
    out.add(re.escape(name))
    first = name.split()[0]
    if len(first) >= 3:
        out.add(re.escape(first[:1].upper() + first[1:]))
    return out


class People:
    """The names the lint treats as people, as one compiled pattern."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for name in names:
            forms |= _forms(name)
        self.names = tuple(sorted(forms, key=len, reverse=True))
        alts = "|".join((*self.names, _GENERIC)) if self.names else _GENERIC
        # Names match as written (a name is not the word "will" or "mark");
        # the generic nouns in any case.
        self.mention = re.compile(rf"(?<![\w@-])(?:{alts}|(?i:{_GENERIC}))(?![\w-])")
        self.attribution = re.compile(
            rf"(?i:caused\s+by|due\s+to|because\s+of|blamed?(?:\s+on)?)\s+(?:{alts}|(?i:{_GENERIC}))(?![\w'\u2019-])"
            rf"|(?:{alts})(?:'s|\u2019s)\s+(?i:{_FAULT_NOUN})\b"
            rf"|(?i:{_FAULT_NOUN})\s+(?i:by|of|from)\s+(?:{alts})(?![\w-])"
        )

    def __bool__(self) -> bool:
        return True


def people_in(pm: object, extra: Iterable[str] = ()) -> People:
    """Everyone the post-mortem names as a person, plus `extra` (the team's
    roster): timeline actors only when written as @handles, since the
    actor column also holds systems (PagerDuty, kubectl)."""
    names: list[str] = list(extra)
    names += getattr(pm, "authors", [])
    names += getattr(pm, "reviewers", [])
    names += [a.owner for a in getattr(pm, "actions", [])]
    names += [ev.actor for ev in getattr(pm, "timeline", []) if ev.actor.strip().startswith("@")]
    for people in getattr(pm, "roles", {}).values():
        names += people
    names.append(getattr(pm, "sponsor", ""))
    names += [a.who for a in getattr(pm, "approvals", [])]
    return cached_people(tuple(sorted({n.strip() for n in names if n and n.strip()})))


@lru_cache(maxsize=32)
def cached_people(names: tuple[str, ...]) -> People:
    return People(names)


# -- the rules ------------------------------------------------------------------------------

_SUBJECT_BEFORE = re.compile(
    r"(?:^|[.;:!?(\[]\s*|,\s*|\b(?:and|but|because|when|after|before|then|so|as|since|while|until|once|that|who|"
    r"where|although|though|if|unless)\s+|\b[A-Za-z]+ly,?\s+)$", re.IGNORECASE)
_APPOSITIVE = re.compile(r"\s*,[^,.;]{1,40},")
_SURNAME = re.compile(r"\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?=\s)")
_ADVERB_RUN = re.compile(rf"(?:\s+(?:{_ADVERBS}))*", re.IGNORECASE)
_CAREFUL_ADV = re.compile(rf"\s+(?:{_CARELESS})\b", re.IGNORECASE)
_P_CAUSE = re.compile(rf"\s+({_CAUSE})\b", re.IGNORECASE)
_P_FAULT_END = re.compile(rf"\s+{_FAULT_END}", re.IGNORECASE)
_P_NEG = re.compile(rf"\s+(?:{_NEGATION})\s+([a-z]+(?:\s+(?:{_PARTICLE})\b)?)", re.IGNORECASE)
_P_MISS = re.compile(rf"\s+({_MISS})\b", re.IGNORECASE)
_P_INTRO = re.compile(rf"\s+({_INTRO})\b", re.IGNORECASE)
_P_DESTROY = re.compile(rf"\s+({_DESTROY})\b", re.IGNORECASE)
_P_JUDGE = re.compile(rf"\s+(?:{_JUDGE})\b", re.IGNORECASE)
_P_ANYVERB_STRICT = re.compile(rf"\s+(?:{_CAUSE}|{_MISS}|{_INTRO}|{_DESTROY})\b", re.IGNORECASE)
_P_ANYVERB = re.compile(r"\s+([a-z]+ed|[a-z]+)\b", re.IGNORECASE)
_TOKEN = r"[\w@'\u2019/%-]+(?:\.[\w@'\u2019/%-]+)*"  # a dot only inside a word (v2.3.0), never a sentence's end
_NP = re.compile(rf"\s+((?:(?!(?:{_BOUNDARY})\b){_TOKEN})(?:\s+(?!(?:{_BOUNDARY})\b){_TOKEN}){{0,5}})", re.IGNORECASE)
_HARM_RE = re.compile(rf"\b(?:{_HARM})\b", re.IGNORECASE)
_REMEDY_RE = re.compile(rf"\b(?:{_REMEDY})\b", re.IGNORECASE)
_PROD_RE = re.compile(rf"\b(?:{_PROD})\b", re.IGNORECASE)
# What an object came "with": a harm word there counts as the object's.
_TAIL = re.compile(r"\s+(?:with|containing|that\s+had|which\s+had)\s+[^.;,]{0,40}"
                   r"|\s+without\s+(?:an?\s+|any\s+)?(?:review|tests?|testing|approval|canary|validation|checks?|dry\s+run)",
                   re.IGNORECASE)
_WITHOUT = re.compile(r"\bwithout\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.;!?]|\s+(?:and|but)\s+|$")
_SINGULAR_S = {"status", "alias", "analysis", "dns", "cors", "https", "redis", "kubernetes", "postgres", "this", "its",
               "bus", "process", "access", "address", "progress", "canvas", "chaos", "class", "less", "jobs's"}


def _clean_np(np: str) -> str:
    return np.strip().rstrip(".,;:")


def _be(np: str) -> str:
    last = np.split()[-1].lower() if np.split() else ""
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3 and last not in _SINGULAR_S
    return "were" if plural else "was"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _rest(text: str, pos: int) -> str:
    m = _CLAUSE_END.search(text, pos)
    end = m.start() if m else len(text)
    return text[pos:end].rstrip(" ,")


def _passive(text: str, verb: str, after: int, *, negative: bool = False, word: str = "") -> tuple[str, int]:
    """"<object> was <verb>ed<rest>" from the text after the verb, and where
    the object ends; ("", after) when no object follows."""
    m = _NP.match(text, after)
    if not m:
        return "", after
    np = _clean_np(m.group(1))
    if not np or np.lower() in ("it", "them", "this", "that", "up", "down"):
        return "", after
    done = word or participle(verb)
    rest = _rest(text, m.end(1))
    neg = "not " if negative else ""
    return f"{_cap(np)} {_be(np)} {neg}{done}{rest}", m.end(1)


def _subject_ok(text: str, start: int) -> bool:
    return _SUBJECT_BEFORE.search(text[max(0, start - 40):start]) is not None


def _after_subject(text: str, end: int) -> int:
    # A known first name may come with a surname the roster does not give.
    m = _SURNAME.match(text, end)
    if m and not _P_ANYVERB_STRICT.match(text, end):
        end = m.end()
    m = _APPOSITIVE.match(text, end)
    if m:
        end = m.end()
    return end


def _predicate(text: str, start: int, end: int) -> Finding | None:
    pos = _after_subject(text, end)
    careless = _CAREFUL_ADV.match(text, pos)
    adv = _ADVERB_RUN.match(text, pos)
    pos2 = adv.end() if adv else pos
    m = _P_FAULT_END.match(text, pos2)
    if m:
        return Finding(start, m.end(), text[start:m.end()], HINT_ATTRIBUTION)
    m = _P_CAUSE.match(text, pos2)
    if m:
        verb = " ".join(m.group(1).lower().split())
        if verb.endswith(" for"):
            word = "caused by <the change or condition, not the person>"
            rewrite, stop = _passive(text, "caused", m.end(), word=word)
        else:
            word = _CAUSE_PARTICIPLE.get(verb, participle(verb))
            rewrite, stop = _passive(text, verb, m.end(), word=word + " by <the change or condition — name it>")
        return Finding(start, max(m.end(), stop), text[start:max(m.end(), stop)], HINT_CAUSE, rewrite)
    m = _P_NEG.match(text, pos2)
    if m:
        verb = m.group(1).lower().split()[0]
        if verb in _NOT_FAULT:
            return None
        rewrite, stop = _passive(text, m.group(1), m.end(), negative=True)
        return Finding(start, max(m.end(), stop), text[start:max(m.end(), stop)], HINT_OMISSION, rewrite)
    m = _P_MISS.match(text, pos2)
    if m:
        verb = " ".join(m.group(1).lower().split())
        rewrite, stop = _passive(text, verb, m.end(), word=_OMISSION_WORD.get(verb, participle(verb)))
        return Finding(start, max(m.end(), stop), text[start:max(m.end(), stop)], HINT_OMISSION, rewrite)
    m = _P_JUDGE.match(text, pos2)
    if m:
        return Finding(start, m.end(), text[start:m.end()], HINT_CARELESS)
    m = _P_INTRO.match(text, pos2) or _P_DESTROY.match(text, pos2)
    if m:
        verb = " ".join(m.group(1).lower().split())
        np = _NP.match(text, m.end())
        obj = np.group(1) if np else ""
        tail = _TAIL.match(text, np.end(1)) if np else None
        if tail:
            obj += tail.group(0)
        destroy = re.fullmatch(_DESTROY, verb, re.IGNORECASE) is not None
        harmful = (bool(_HARM_RE.search(obj)) or bool(_WITHOUT.search(obj))) and not destroy
        destructive = destroy and bool(_PROD_RE.search(obj)) and not _REMEDY_RE.search(obj)
        if harmful or destructive or careless:
            rewrite, stop = _passive(text, verb, m.end())
            hint = HINT_CARELESS if careless and not harmful else HINT_INTRODUCED
            return Finding(start, max(m.end(), stop), text[start:max(m.end(), stop)], hint, rewrite)
        return None
    if careless:
        m = _P_ANYVERB.match(text, careless.end())
        if m:
            rewrite, stop = _passive(text, m.group(1), m.end())
            return Finding(start, max(m.end(), stop), text[start:max(m.end(), stop)], HINT_CARELESS, rewrite)
    return None


def _trim(found: Finding, text: str) -> Finding:
    end = found.end
    while end > found.start and text[end - 1] in ".,;: ":
        end -= 1
    return Finding(found.start, end, text[found.start:end], found.hint, found.rewrite) if end != found.end else found


def findings(text: str, people: People | None = None) -> list[Finding]:
    """Blame that names or points at a person in `text`, each with a hint
    and, where the sentence allows, a systems-first rewrite."""
    if not text:
        return []
    people = people or cached_people(())
    out: list[Finding] = []
    for m in people.mention.finditer(text):
        if not _subject_ok(text, m.start()):
            continue
        found = _predicate(text, m.start(), m.end())
        if found is not None and not any(f.start <= found.start < f.end for f in out):
            out.append(_trim(found, text))
    for m in people.attribution.finditer(text):
        if any(f.start <= m.start() < f.end or m.start() <= f.start < m.end() for f in out):
            continue
        rewrite = text[:m.start()] + _ATTRIBUTION_SUB.sub("<the change or decision, and what allowed it>",
                                                           m.group(0)) + text[m.end():]
        out.append(Finding(m.start(), m.end(), m.group(0), HINT_ATTRIBUTION, rewrite.strip()))
    return sorted(out, key=lambda f: f.start)


_ATTRIBUTION_SUB = re.compile(
    r"(?<=\bby\s)\S.*|(?<=\bto\s)\S.*|(?<=\bof\s)\S.*|(?<=\bon\s)\S.*|^\S+(?:'s|\u2019s)\s+\S+.*", re.IGNORECASE)
