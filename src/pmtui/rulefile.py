"""Secret-detection rules as data: gitleaks' rule format read into
`SecretRule`s for the redactor.

Two files ship in `pmtui/secretrules/`: gitleaks' own default rule set,
vendored unchanged (its regular expressions are Go's RE2 dialect, translated
here), and pmtui's rules for shapes that logs and HTTP exchanges have
(written in Python's dialect, `dialect = "python"` at the top). Both use the
same fields: `id`, `regex`, `keywords` (a rule is tried only on lines that
hold one of them, any case), `secretGroup` (else the first group that
matched, else the whole match), `entropy` (a secret of lower Shannon
entropy is not one) and `[[rules.allowlists]]` (`regexes`, `stopwords`,
`regexTarget`, `condition`). Path and commit allowlists do not apply to a
log line and are ignored. No Textual here.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "secretrules"
GITLEAKS_FILE = RULES_DIR / "gitleaks.toml"
PMTUI_FILE = RULES_DIR / "pmtui.toml"

# gitleaks rules the redactor does not run line by line: the private-key
# block spans lines and has its own pass (redact._private_keys); a file-name
# rule has no meaning for text.
SKIPPED = frozenset({"private-key", "pkcs12-file"})


# Rules that match any `key = value` of a sensitive-sounding key: a rule for
# the provider's own shape names the secret better when both match.
CATCH_ALL = frozenset({"generic-api-key", "password", "secret-value"})


class RuleFileError(ValueError):
    """A rule file cannot be used; the message names the file and rule."""


@dataclass(frozen=True)
class Allow:
    regexes: tuple[re.Pattern[str], ...] = ()  # one alternation of the list's regexes, or none
    stopwords: tuple[str, ...] = ()
    target: str = "secret"  # secret | match | line
    all_of: bool = False  # condition = "AND"

    def allows(self, secret: str, match: str, line: str) -> bool:
        target = match if self.target == "match" else line if self.target == "line" else secret
        by_regex = bool(self.regexes) and self.regexes[0].search(target) is not None
        by_word = bool(self.stopwords) and bool(_stopword_finder(self.stopwords).find_matches_as_indexes(
            secret.lower()))
        if self.all_of:
            checks = ([by_regex] if self.regexes else []) + ([by_word] if self.stopwords else [])
            return bool(checks) and all(checks)
        return by_regex or by_word


@functools.lru_cache(maxsize=64)
def _stopword_finder(words: tuple[str, ...]) -> Any:
    """One Aho-Corasick automaton per stopword list (the generic rule's
    holds 1,500 words, as gitleaks' own trie does)."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(list(words))


@dataclass(frozen=True)
class SecretRule:
    id: str
    regex: str  # Python syntax
    keywords: tuple[str, ...] = ()  # lower case
    secret_group: int = 0
    entropy: float = 0.0
    allow: tuple[Allow, ...] = field(default_factory=tuple)
    origin: str = "gitleaks"
    # Every match starts where one of the keywords does: the redactor then
    # tries the regex only at the keywords' places (see `starts_at_keyword`).
    anchored: bool = False
    last: bool = False  # a catch-all rule, yielding to any other on the same text


def entropy(text: str) -> float:
    """Shannon entropy in bits per character, as gitleaks computes it."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


# -- Go (RE2) to Python ------------------------------------------------------------

_POSIX = {"alnum": "A-Za-z0-9", "alpha": "A-Za-z", "digit": "0-9", "lower": "a-z", "upper": "A-Z",
          "space": r"\s", "xdigit": "0-9A-Fa-f", "word": r"\w", "punct": r"!-/:-@\[-`{-~"}
_FLAGS_RE = re.compile(r"\(\?([imsU]+)\)")


def go_to_python(pattern: str) -> str:
    """RE2's syntax where Python's differs: a flag group `(?i)` after the
    start (Python wants flags first, so it becomes a scoped `(?i:...)` to
    the end of its group), `\\z`, POSIX classes and a literal `[` inside a
    class."""
    out: list[str] = []
    # Per open group, the flags turned on inside it so far: each is a scoped
    # group, closed at the group's end and at each `|` (RE2 keeps the flag
    # for the group's later branches, so it is reopened after the `|`).
    pending: list[list[str]] = [[]]
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append(r"\Z" if nxt == "z" and not in_class else c + nxt)
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
                out.append(c)
                i += 1
            else:
                i = _class_char(pattern, i, out)
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a literal ] first in a class
                out.append(r"\]")
                i += 1
            continue
        flags = _FLAGS_RE.match(pattern, i)
        if flags and (i > 0 or len(pending) > 1):
            out.append(f"(?{flags.group(1)}:")
            pending[-1].append(flags.group(1))
            i = flags.end()
            continue
        if c == "(":
            pending.append([])
        elif c == ")" and len(pending) > 1:
            out.append(")" * len(pending.pop()))
        elif c == "|" and pending[-1]:
            out.append(")" * len(pending[-1]) + "|" + "".join(f"(?{f}:" for f in pending[-1]))
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * len(pending[0]))
    return "".join(out)


def _class_char(pattern: str, i: int, out: list[str]) -> int:
    """One item inside a character class; returns the next index."""
    c = pattern[i]
    if c == "[" and pattern.startswith("[:", i):
        end = pattern.find(":]", i + 2)
        name = pattern[i + 2 : end] if end != -1 else ""
        if name in _POSIX:
            out.append(_POSIX[name])
            return end + 2
    out.append(r"\[" if c == "[" else c)
    return i + 1


_LEAD = (re.compile(r"^(\(\?i\))?\[\\w\.-\]\{0,\d+\}\?"), re.compile(r"^\(\?i:\[\\w\.-\]\{0,\d+\}\?"))


def strip_lead(source: str) -> str:
    """Without the lazy `[\\w.-]{0,50}?` that starts most of gitleaks'
    keyword rules: it only widens the match leftwards (the secret is a group
    after the keyword), and Python's engine tries it at every position of
    the line, which made the generic rule alone cost 140 us a line."""
    while True:
        shorter = _LEAD[1].sub("(?i:", _LEAD[0].sub(r"\1", source, count=1), count=1)
        if shorter == source:
            return source
        source = shorter


# -- loading ------------------------------------------------------------------------


def load_rules(path: Path, *, origin: str) -> list[SecretRule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path}: {exc}") from None
    python = data.get("dialect") == "python"
    glob = _allows(path, "allowlist", [data["allowlist"]] if isinstance(data.get("allowlist"), dict) else [], python)
    rules = []
    for n, raw in enumerate(data.get("rules") or [], 1):
        rule_id = str(raw.get("id") or f"rule-{n}")
        regex = raw.get("regex")
        if rule_id in SKIPPED or not isinstance(regex, str):
            continue
        source = regex if python else strip_lead(go_to_python(regex))
        try:
            re.compile(source, re.ASCII)
        except re.error as exc:
            raise RuleFileError(f"{path}: rule {rule_id}: regex does not compile: {exc}") from None
        keywords = tuple(str(k).lower() for k in raw.get("keywords") or ())
        rules.append(SecretRule(
            id=rule_id,
            regex=source,
            keywords=keywords,
            anchored=starts_at_keyword(source, keywords),
            last=rule_id in CATCH_ALL,
            secret_group=int(raw.get("secretGroup") or 0),
            entropy=float(raw.get("entropy") or 0.0),
            allow=(*_allows(path, rule_id, raw.get("allowlists") or [], python), *glob),
            origin=origin,
        ))
    return rules


def _allows(path: Path, where: str, tables: list[dict], python: bool) -> tuple[Allow, ...]:
    out = []
    for table in tables:
        path_only = not (table.get("regexes") or table.get("stopwords"))
        if (table.get("paths") or table.get("commits")) and (
                str(table.get("condition", "OR")).upper() == "AND" or path_only):
            continue  # only ever true for a file or a commit
        sources = [r if python else go_to_python(r) for r in table.get("regexes") or ()]
        try:
            for source in sources:
                re.compile(source, re.ASCII)
            # one search instead of one per regex (the global list has 12)
            regexes = (re.compile("|".join(_scoped(src) for src in sources), re.ASCII),) if sources else ()
        except re.error as exc:
            raise RuleFileError(f"{path}: {where}: allowlist regex does not compile: {exc}") from None
        stopwords = tuple(str(w).lower() for w in table.get("stopwords") or ())
        if regexes or stopwords:
            out.append(Allow(regexes, stopwords, str(table.get("regexTarget") or "secret"),
                             str(table.get("condition", "OR")).upper() == "AND"))
    return tuple(out)


_PREFIX_LIMIT = 8


def _prefixes(items: list[tuple[Any, Any]], limit: int = _PREFIX_LIMIT) -> set[str] | None:
    """The literal texts (up to `limit` characters, lower case) a parsed
    regex can begin with; None when it can begin otherwise (a class of
    letters, a repeat, an empty branch)."""
    from re import _constants as c  # type: ignore[attr-defined]

    for at, (op, av) in enumerate(items):
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: \b, lookarounds
        if op is c.LITERAL:
            head = chr(av).lower()
            rest = _prefixes(items[at + 1 :], limit - 1) if limit > 1 else None
            return {head + r for r in rest} if rest else {head}
        if op is c.SUBPATTERN:
            return _prefixes(list(av[3]) + items[at + 1 :], limit)
        if op is c.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                found = _prefixes(list(branch) + items[at + 1 :], limit)
                if not found:
                    return None
                out |= found
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:  # (...)? : with it or without
            with_it = _prefixes(list(av[2]) + items[at + 1 :], limit)
            without = _prefixes(items[at + 1 :], limit)
            return with_it | without if with_it and without else None
        if op is c.IN and all(o is c.LITERAL for o, _ in av):
            return {chr(v).lower() for _, v in av}
        return None
    return None


def starts_at_keyword(source: str, keywords: tuple[str, ...]) -> bool:
    """Does every match of `source` begin with one of `keywords` (any case)?
    Then the regex need only be tried where a keyword is."""
    import re._parser as parser  # type: ignore[import-not-found]

    if not keywords:
        return False
    try:
        starts = _prefixes(list(parser.parse(source, re.ASCII)))
    except (re.error, TypeError, ValueError):
        return False
    if not starts:
        return False
    # A literal start cut short by the limit may still be a keyword's
    # beginning; one cut short by a class or a repeat may not.
    return all(any(p.startswith(k) or (len(p) >= _PREFIX_LIMIT and k.startswith(p)) for k in keywords)
               for p in starts)


def _scoped(source: str) -> str:
    """`source` as a group fit to stand in an alternation: leading flags
    `(?i)` become a scoped `(?i:...)`."""
    flags = _FLAGS_RE.match(source)
    return f"(?{flags.group(1)}:{source[flags.end():]})" if flags else f"(?:{source})"


_cache: list[SecretRule] | None = None


def builtin_rules() -> list[SecretRule]:
    """gitleaks' rules, then pmtui's (read once). pmtui.toml's top-level
    `[[allowlists]]` with `targetRules` apply to gitleaks' rules too, so the
    vendored file stays unchanged."""
    global _cache
    if _cache is None:
        gitleaks = load_rules(GITLEAKS_FILE, origin="gitleaks")
        ours = load_rules(PMTUI_FILE, origin="pmtui")
        for n, table in enumerate(_targeted(PMTUI_FILE), 1):
            targets = set(table.get("targetRules") or ())
            extra = _allows(PMTUI_FILE, f"allowlists[{n}]", [table], True)
            gitleaks = [dataclasses.replace(r, allow=(*r.allow, *extra)) if r.id in targets else r
                        for r in gitleaks]
        _cache = gitleaks + ours
    return _cache


def _targeted(path: Path) -> list[dict[str, Any]]:
    tables = tomllib.loads(path.read_text(encoding="utf-8")).get("allowlists") or []
    return [t for t in tables if isinstance(t, dict)]
