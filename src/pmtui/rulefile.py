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


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower case as the rules' re.ASCII | IGNORECASE sees it: a non-ASCII
    letter never lowers to an ASCII one (K, the Kelvin sign, stays)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Allow:
    """One `[[rules.allowlists]]` table. Its regexes are one alternation,
    split (by `_allows`) into the alternatives that are only literal texts
    in any case, looked for in one Aho-Corasick pass over the lowered
    target, and the rest, a regex searched only when one of `hints` (a
    literal each of those alternatives needs) is in the target: the generic
    rule's list of 30 alternatives cost ~50 us a search."""

    regex: str = ""  # the alternatives that are not literal texts, as one regex, searched
    stopwords: tuple[str, ...] = ()
    target: str = "secret"  # secret | match | line
    all_of: bool = False  # condition = "AND"
    literals: tuple[str, ...] = ()  # lower case
    hints: tuple[str, ...] | None = None  # None: `regex` has an alternative needing no literal
    prefix_regex: str = ""  # the alternatives that begin with `^`: tried at the start only

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        # compiled on first use: most allowlists never run in a session
        return re.compile(self.regex, re.ASCII)

    @functools.cached_property
    def prefix_pattern(self) -> re.Pattern[str]:
        return re.compile(self.prefix_regex, re.ASCII)

    @functools.cached_property
    def finder(self) -> Any:
        """One Aho-Corasick automaton for the stopwords (the generic rule's
        holds 1,500 words, as gitleaks' own trie does)."""
        import ahocorasick_rs

        return ahocorasick_rs.AhoCorasick(list(self.stopwords))

    @functools.cached_property
    def literal_finder(self) -> Any:
        import ahocorasick_rs

        return ahocorasick_rs.AhoCorasick(list(self.literals))

    def by_regex(self, target: str) -> bool:
        """Would the table's regexes, searched as one alternation, match?"""
        low = ascii_lower(target)
        if self.literals and self.literal_finder.find_matches_as_indexes(low):
            return True
        if self.prefix_regex and self.prefix_pattern.match(target) is not None:
            return True
        if not self.regex or (self.hints is not None and not any(h in low for h in self.hints)):
            return False
        return self.pattern.search(target) is not None

    def allows(self, secret: str, match: str, line: str) -> bool:
        target = match if self.target == "match" else line if self.target == "line" else secret
        has_regex = bool(self.regex or self.literals or self.prefix_regex)
        by_regex = has_regex and self.by_regex(target)
        if by_regex and not self.all_of:
            return True
        by_word = bool(self.stopwords) and bool(self.finder.find_matches_as_indexes(ascii_lower(secret)))
        if self.all_of:
            checks = ([by_regex] if has_regex else []) + ([by_word] if self.stopwords else [])
            return bool(checks) and all(checks)
        return by_regex or by_word


@dataclass(frozen=True)
class SecretRule:
    id: str
    regex: str  # Python syntax; a derived precheck lookahead first, if any (see `plan`)
    keywords: tuple[str, ...] = ()  # lower case
    secret_group: int = 0
    entropy: float = 0.0
    allow: tuple[Allow, ...] = field(default_factory=tuple)
    origin: str = "gitleaks"
    # How the redactor finds where to try the rule (derived by `plan`):
    # the lower-case texts its one Aho-Corasick pass looks for ...
    anchors: tuple[str, ...] = ()
    # ... and whether every match begins at one (then the regex is tried
    # there only), else it is tried on the line that holds one.
    anchored: bool = False
    multiline: bool = False  # a match may run on past its line: the regex names \n, \r or dot-all
    need_keyword: bool = False  # an anchor is not a keyword: the line must hold a keyword too
    # literal texts every match holds, with the most newlines before each
    # one's end: checked (in the line, or that many lines on) before the regex runs
    required: tuple[tuple[str, int], ...] = ()
    last: bool = False  # a catch-all rule, yielding to any other on the same text


def entropy(text: str) -> float:
    """Shannon entropy in bits per character, as gitleaks computes it."""
    if not text:
        return 0.0
    n = len(text)
    # each character's count, in order of first appearance as Counter gives
    # them (the same sum to the last bit), at a third of Counter's cost
    return -sum(c / n * math.log2(c / n) for c in map(text.count, dict.fromkeys(text)))


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


# -- where to try each rule ----------------------------------------------------------

_ANCHOR_LIMIT = 24  # characters of a literal start worth looking for


def _score(text: str) -> int:
    """How rarely a literal text turns up in a log, roughly: longer is
    rarer, and punctuation and digits rarer than letters (`eyJ` tokens are
    common in prose as `ey`, rare as `.ey`)."""
    return len(text) + 2 * sum(not c.isalpha() for c in text)


def plan(source: str, keywords: tuple[str, ...]) -> dict[str, Any]:
    """The SecretRule fields that say where the redactor tries `source`,
    derived from the regex itself (pmtui.regexfacts):

    - a rule every match of which begins with literal text starting with a
      keyword is tried only where that text is (`anchors`: those texts,
      often longer than the keyword: `administrator_login_password`), with
      a lookahead first that rejects most tries without backtracking;
    - any other rule is tried on the lines that hold an anchor: its
      keywords, or a literal every match holds when that is rarer (`.ey`
      for a JWT, `kind:` for a Kubernetes Secret), the line then checked
      for a keyword (gitleaks' condition) and for the other literals;
    - a rule whose regex names a line break may match on past its line,
      as in gitleaks (a curl command over several lines); one that does not
      is tried within its line.
    """
    from pmtui import regexfacts as facts

    base = {"anchors": keywords, "anchored": False, "multiline": False, "need_keyword": False, "required": ()}
    parsed = facts.parse(source)
    if parsed is None or not keywords:
        return base
    items = list(parsed.data)
    multiline = facts.says_newline(items, bool(parsed.state.flags & re.DOTALL))
    needs = facts.required(items)
    starts = facts.prefixes(items, _ANCHOR_LIMIT)
    options: list[tuple[int, int, dict[str, Any]]] = []  # (score, preference, fields)
    if starts and facts.keyed(starts, keywords, _ANCHOR_LIMIT):
        anchors = sorted({p if any(p.startswith(k) for k in keywords) else k
                          for p in starts for k in keywords if p.startswith(k) or k.startswith(p)})
        check = facts.precheck(source)
        extra = {t: n for t, n in needs.items() if not all(t in a for a in anchors)}
        # a rule spanning lines checks its literals as many lines on as a
        # match may reach; one within its line, in the line
        reach = sorted((t, n) for t, n in extra.items() if n is not None) if multiline else sorted(
            (t, 0) for t in extra)
        options.append((min(map(_score, anchors)) + 2, 2, {
            "anchors": tuple(anchors), "anchored": True, "multiline": multiline, "required": tuple(reach),
            "regex": facts.with_precheck(source, check) if check else source}))
    # Within its line, trying a rule at its anchors or over the line finds
    # the same matches: the rarer anchor wins (a margin of 2 for trying at
    # a place over scanning a line).
    if not multiline or not options:
        for text in sorted(needs):
            options.append((_score(text), 1, {"anchors": (text,)}))
        options.append((min(map(_score, keywords)), 0, {"anchors": keywords}))
    best = max(options, key=lambda o: (o[0], o[1]))[2]
    if not best.get("anchored"):
        best = {**best, "need_keyword": not all(any(k in a for k in keywords) for a in best["anchors"]),
                "required": tuple(sorted((t, 0) for t in needs if t not in best["anchors"]))}
    return {**base, **best}


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
        rules.append(SecretRule(**{
            "id": rule_id,
            "regex": source,
            "keywords": keywords,
            "last": rule_id in CATCH_ALL,
            "secret_group": int(raw.get("secretGroup") or 0),
            "entropy": float(raw.get("entropy") or 0.0),
            "allow": (*_allows(path, rule_id, raw.get("allowlists") or [], python), *glob),
            "origin": origin,
            **plan(source, keywords),
        }))
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
        except re.error as exc:
            raise RuleFileError(f"{path}: {where}: allowlist regex does not compile: {exc}") from None
        literals, regex, hints, prefix = _split_allow(sources)
        stopwords = tuple(str(w).lower() for w in table.get("stopwords") or ())
        if regex or literals or prefix or stopwords:
            out.append(Allow(regex, stopwords, str(table.get("regexTarget") or "secret"),
                             str(table.get("condition", "OR")).upper() == "AND", literals, hints, prefix))
    return tuple(out)


def _split_allow(sources: list[str]) -> tuple[tuple[str, ...], str, tuple[str, ...] | None, str]:
    """An allowlist's regexes as (literal texts, one regex of the other
    alternatives, a literal each of those needs or None, one regex of the
    alternatives anchored at the start): see `Allow`."""
    from pmtui import regexfacts as facts

    literals: set[str] = set()
    rest: list[str] = []
    prefix: list[str] = []
    for source in sources:
        for part in facts.branches(source):
            texts = facts.literal_texts(part)
            if texts is not None:
                literals |= texts
            elif facts.starts_at_beginning(part):
                prefix.append(part)
            else:
                rest.append(part)
    hints: list[str] | None = []
    for part in rest:
        parsed = facts.parse(part)
        needs = facts.required(list(parsed.data)) if parsed is not None else {}
        if not needs or hints is None:
            hints = None
            continue
        hints.append(max(sorted(needs), key=len))
    regex = "|".join(_scoped(part) for part in rest)
    anchored = "|".join(_scoped(part) for part in prefix)
    for joined in (regex, anchored):
        re.compile(joined, re.ASCII)
    return tuple(sorted(literals)), regex, (tuple(hints) if hints is not None else None), anchored


def _scoped(source: str) -> str:
    """`source` as a group fit to stand in an alternation: leading flags
    `(?i)` become a scoped `(?i:...)`."""
    flags = _FLAGS_RE.match(source)
    return f"(?{flags.group(1)}:{source[flags.end():]})" if flags else f"(?:{source})"


def derive_rules() -> list[SecretRule]:
    """gitleaks' rules, then pmtui's, read and analysed from the TOML files.
    pmtui.toml's top-level `[[allowlists]]` with `targetRules` apply to
    gitleaks' rules too, so the vendored file stays unchanged."""
    gitleaks = load_rules(GITLEAKS_FILE, origin="gitleaks")
    ours = load_rules(PMTUI_FILE, origin="pmtui")
    for n, table in enumerate(_targeted(PMTUI_FILE), 1):
        targets = set(table.get("targetRules") or ())
        extra = _allows(PMTUI_FILE, f"allowlists[{n}]", [table], True)
        gitleaks = [dataclasses.replace(r, allow=(*r.allow, *extra)) if r.id in targets else r for r in gitleaks]
    return gitleaks + ours


def _targeted(path: Path) -> list[dict[str, Any]]:
    tables = tomllib.loads(path.read_text(encoding="utf-8")).get("allowlists") or []
    return [t for t in tables if isinstance(t, dict)]


# -- the index: what derive_rules() finds, stored beside the rules -----------------------
#
# Reading both TOML files, translating and analysing 230 regexes takes
# ~100 ms, which the app's first frame (it redacts the post-mortem's title)
# should not wait for; the index holds the result (~5 ms to read). It
# names the size and CRC of each rule file: when a file changes and the index was
# not rewritten, the rules are derived afresh (correct, only slower).
# Rewrite it with `python -m pmtui.rulefile`; a unit test fails while it is stale.

INDEX_FILE = RULES_DIR / "index.json"
_INDEX_VERSION = 3


def _digests() -> dict[str, str]:
    # to notice an edit, not to resist one (whoever can write the rule files
    # can write this module): CRC-32 and size, without hashlib's OpenSSL load
    import zlib

    out = {}
    for path in (GITLEAKS_FILE, PMTUI_FILE):
        data = path.read_bytes()
        out[path.name] = f"{len(data)}:{zlib.crc32(data):08x}"
    return out


def index_data(rules: list[SecretRule]) -> dict[str, Any]:
    allows: list[Allow] = []
    where: dict[Allow, int] = {}
    out = []
    for rule in rules:
        refs = []
        for allow in rule.allow:
            if allow not in where:
                where[allow] = len(allows)
                allows.append(allow)
            refs.append(where[allow])
        row = {f.name: getattr(rule, f.name) for f in dataclasses.fields(SecretRule) if f.name != "allow"}
        out.append({**row, "allow": refs})
    return {"version": _INDEX_VERSION, "sources": _digests(),
            "allowlists": [{"regex": a.regex, "stopwords": a.stopwords, "target": a.target, "all_of": a.all_of,
                            "literals": a.literals, "hints": a.hints, "prefix_regex": a.prefix_regex}
                           for a in allows],
            "rules": out}


def _from_index(data: dict[str, Any]) -> list[SecretRule]:
    allows = [Allow(a["regex"], tuple(a["stopwords"]), a["target"], a["all_of"], tuple(a["literals"]),
                    None if a["hints"] is None else tuple(a["hints"]), a["prefix_regex"])
              for a in data["allowlists"]]
    rules = []
    for row in data["rules"]:
        rules.append(SecretRule(**{
            **row,
            "keywords": tuple(row["keywords"]),
            "anchors": tuple(row["anchors"]),
            "required": tuple((t, n) for t, n in row["required"]),
            "allow": tuple(allows[i] for i in row["allow"]),
        }))
    return rules


def write_index(path: Path = INDEX_FILE) -> None:
    import json

    text = json.dumps(index_data(derive_rules()), indent=0, separators=(",", ":"), ensure_ascii=True)
    path.write_text(text + "\n", encoding="utf-8")


def _read_index() -> list[SecretRule] | None:
    import json

    try:
        data = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
        if data.get("version") != _INDEX_VERSION or data.get("sources") != _digests():
            return None
        return _from_index(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


_cache: list[SecretRule] | None = None


def builtin_rules() -> list[SecretRule]:
    """gitleaks' rules, then pmtui's (read once): from the index when it
    matches the rule files, else derived from them."""
    global _cache
    if _cache is None:
        _cache = _read_index() or derive_rules()
    return _cache


if __name__ == "__main__":
    write_index()
    print(f"wrote {INDEX_FILE}")
