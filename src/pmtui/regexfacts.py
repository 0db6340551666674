"""What a secret rule's regular expression needs before it can match, read
from Python's own parse of it: the literal texts every match begins with,
literals every match holds, how many newlines a match may hold, and a
cheap necessary condition worth testing first.

The redactor derives its prefilter from these (`pmtui.rulefile.plan`)
instead of from hand-written anchors, so a newer gitleaks rule set gets
the same treatment. The parse tree is `re._parser`'s, an internal module
whose shape has been stable since Python 3.7 (the project needs 3.11+);
every function here answers None or an empty set, never a wrong fact, for
a node it does not know. All texts are lower case: the redactor looks for
them in lowered text. No Textual here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

Items = list[tuple[Any, Any]]

_ZERO_WIDTH = frozenset({C.AT, C.ASSERT, C.ASSERT_NOT})
_REPEATS = frozenset({C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT})
_MAXREPEAT = C.MAXREPEAT
_MAX_TEXTS = 64  # a prefix set larger than this is not worth an automaton entry each
_CATEGORIES = {
    C.CATEGORY_DIGIT: frozenset(range(48, 58)),
    C.CATEGORY_SPACE: frozenset(b" \t\n\r\f\v"),
    C.CATEGORY_WORD: frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
}
_ALL_ASCII = frozenset(range(128))


def parse(source: str) -> Any | None:
    """The parse tree of `source` as the redactor compiles it (re.ASCII), or
    None when Python cannot parse it."""
    try:
        return P.parse(source, re.ASCII)
    except (re.error, TypeError, ValueError, OverflowError, RecursionError):
        return None


def _lower(code: int) -> str:
    return chr(code).lower()


def _charset(av: list[tuple[Any, Any]]) -> tuple[bool, frozenset[int]] | None:
    """(negated, code points) of a class `[...]`, or None for a member not
    known here (a Unicode category)."""
    negated = False
    out: set[int] = set()
    for op, arg in av:
        if op is C.NEGATE:
            negated = True
        elif op is C.LITERAL:
            out.add(arg)
        elif op is C.RANGE:
            if arg[1] - arg[0] > 0x400:
                return None
            out.update(range(arg[0], arg[1] + 1))
        elif op is C.CATEGORY and arg in _CATEGORIES:
            out |= _CATEGORIES[arg]
        elif op is C.CATEGORY and arg in {C.CATEGORY_NOT_DIGIT, C.CATEGORY_NOT_SPACE, C.CATEGORY_NOT_WORD}:
            positive = {C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT, C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE,
                        C.CATEGORY_NOT_WORD: C.CATEGORY_WORD}[arg]
            if negated or out:
                return None  # [^\S...] or [x\S]: a union of complements, not needed here
            negated, out = True, set(_CATEGORIES[positive])
        else:
            return None
    return negated, frozenset(out)


def _fold(chars: frozenset[int]) -> frozenset[int]:
    """`chars` with both cases of each ASCII letter (the rules are
    compiled re.ASCII, so case folding is ASCII's)."""
    extra = {c ^ 0x20 for c in chars if 65 <= c <= 90 or 97 <= c <= 122}
    return chars | extra


# -- literal starts ------------------------------------------------------------


def prefixes(items: Items, limit: int) -> set[str] | None:
    """The literal texts (up to `limit` characters) every match of `items`
    begins with; None when a match may begin otherwise (a class of many
    characters, a repeat, an empty branch)."""
    found = _prefixes(list(items), limit)
    if found is None or len(found) > _MAX_TEXTS:
        return None
    return found


def _prefixes(items: Items, limit: int) -> set[str] | None:
    for at, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue
        heads = _heads(op, av)
        if heads is not None:
            rest = _prefixes(items[at + 1 :], limit - 1) if limit > 1 else None
            if rest and len(heads) * len(rest) <= _MAX_TEXTS:
                return {h + r for h in heads for r in rest}
            return set(heads)
        if op is C.SUBPATTERN:
            return _prefixes(list(av[3]) + items[at + 1 :], limit)
        if op is C.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                found = _prefixes(list(branch) + items[at + 1 :], limit)
                if not found:
                    return None
                out |= found
            return out
        if op in _REPEATS and av[0] == 0 and av[1] == 1:  # (...)? : with it or without
            with_it = _prefixes(list(av[2]) + items[at + 1 :], limit)
            without = _prefixes(items[at + 1 :], limit)
            return with_it | without if with_it and without else None
        return None
    return None


def _heads(op: Any, av: Any) -> set[str] | None:
    """The lowered characters a one-character item matches, when they are
    few and listed (a literal, `[Aa]`, `[_-]`)."""
    if op is C.LITERAL:
        return {_lower(av)}
    if op is C.IN and av and all(o is C.LITERAL for o, _ in av) and len(av) <= 8:
        return {_lower(v) for _, v in av}
    return None


def starts_at_keyword(source: str, keywords: tuple[str, ...], limit: int = 8) -> bool:
    """Does every match of `source` begin with one of `keywords` (any case)?
    Then the regex need only be tried where a keyword is."""
    parsed = parse(source)
    if parsed is None or not keywords:
        return False
    starts = prefixes(parsed.data, limit)
    return starts is not None and bool(starts) and keyed(starts, keywords, limit)


def keyed(starts: set[str], keywords: tuple[str, ...], limit: int) -> bool:
    # A literal start cut short by the limit may still be a keyword's
    # beginning; one cut short by a class or a repeat may not.
    return all(any(p.startswith(k) or (len(p) >= limit and k.startswith(p)) for k in keywords) for p in starts)


# -- literals every match holds ------------------------------------------------------


def required(items: Items) -> dict[str, int | None]:
    """Literal texts (2+ characters, lower case) that every match of
    `items` contains, each with the most newlines a match may hold before
    the text's end (None: not bounded)."""
    out: dict[str, int | None] = {}
    runs = {""}  # the literal text just matched, one per way through a small branch
    lines: int | None = 0

    def note(texts: set[str] | dict[str, int | None], at: int | None) -> None:
        for text in texts:
            if text not in out or (at is not None and (out[text] is None or at < out[text])):  # type: ignore[operator]
                out[text] = at

    def flush() -> None:
        note(_common([{r} for r in runs]) if len(runs) > 1 else {r for r in runs if len(r) >= 2}, lines)

    todo = list(items)
    while todo:
        op, av = todo.pop(0)
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the texts either side stay adjacent
        if op is C.SUBPATTERN and not av[1] & re.DOTALL:
            todo[:0] = list(av[3])
            continue
        exact = _exact([(op, av)])
        if exact is not None and "" not in exact and len(runs) * len(exact) <= _MAX_TEXTS:
            runs = {r + e for r in runs for e in exact}  # `-H|--header` after `-`: "-h" or "--header"
            lines = _plus(lines, newlines([(op, av)]))
            continue
        flush()
        runs = {""}
        lines = _plus(lines, newlines([(op, av)]))
        if op in _REPEATS and av[0] >= 1:
            note(required(list(av[2])), lines)
        elif op is C.BRANCH:
            note(_common([set(required(list(b))) for b in av[1]]), lines)
    flush()
    keep = _maximal(set(out))
    return {text: at for text, at in out.items() if text in keep}


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _common(sets: list[set[str]]) -> set[str]:
    """Texts every branch holds: substrings of one branch's literals found in
    a literal of each other branch."""
    if not sets or not all(sets):
        return set()
    found = set()
    for text in sets[0]:
        for size in range(len(text), 1, -1):
            for at in range(len(text) - size + 1):
                part = text[at : at + size]
                if all(any(part in other for other in s) for s in sets[1:]):
                    found.add(part)
    return _maximal(found)


def _maximal(texts: set[str]) -> set[str]:
    return {t for t in texts if not any(t != u and t in u for u in texts)}


# -- newlines -----------------------------------------------------------------------


def newlines(items: Items, dotall: bool = False) -> int | None:
    """How many newline characters a match of `items` may hold at most; None
    when unbounded or not known."""
    total = 0
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is C.LITERAL:
            total += av == 10
        elif op is C.NOT_LITERAL:
            total += av != 10
        elif op is C.ANY:
            total += dotall
        elif op is C.IN:
            chars = _charset(av)
            if chars is None:
                return None
            total += (10 not in chars[1]) if chars[0] else (10 in chars[1])
        elif op in _REPEATS:
            inner = newlines(list(av[2]), dotall)
            if inner is None or (inner and av[1] == _MAXREPEAT):
                return None
            total += inner * av[1]
        elif op is C.SUBPATTERN:
            add, remove = av[1], av[2]
            inner = newlines(list(av[3]), (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL)
            if inner is None:
                return None
            total += inner
        elif op is C.BRANCH:
            counts = [newlines(list(b), dotall) for b in av[1]]
            if any(n is None for n in counts):
                return None
            total += max(n for n in counts if n is not None)
        else:
            return None
    return total


def ends_at_line_end(items: Items) -> bool:
    """Is the last item a trailer like gitleaks' `(?:[\\s;...]|\\\\[nr]|$)`,
    the only part that may hold a newline, and one that a line's end (`$`)
    satisfies too? Then trying the regex within each line finds what
    trying it on the whole text finds."""
    if not items or newlines(items[:-1]) != 0:
        return False
    op, av = items[-1]
    if op is C.SUBPATTERN and av[0] is None and len(av[3]) == 1:
        op, av = next(iter(av[3]))
    if op is C.AT:
        return av in (C.AT_END, C.AT_END_STRING)
    if op is not C.BRANCH:
        return newlines(items[-1:]) == 0
    return any(list(b) in ([(C.AT, C.AT_END)], [(C.AT, C.AT_END_STRING)]) for b in av[1]) and (
        (newlines(items[-1:]) or 0) <= 1)


# -- a cheap necessary condition --------------------------------------------------------


def precheck(source: str) -> str | None:
    """A lookahead to put before `source` that holds wherever `source` can
    match, but fails fast where it cannot, or None.

    gitleaks' keyword rules read `KEYWORD[ \\t\\w.-]{0,20}[\\s'"]{0,3}(?:=|:|...)`:
    Python's backtracking engine tries every split of the run before the
    operator (~700 ns a failing try). When the characters of the run and
    the first character of what follows are disjoint, `(?=KEYWORD[run]{0,N}+[ops])`
    decides the same question with no backtracking: a possessive run stops
    exactly at the first character outside it, which must be the operator."""
    parsed = parse(source)
    if parsed is None:
        return None
    items = list(parsed.data)
    head_end, heads = 0, None
    for end in range(1, len(items) + 1):
        exact = _exact(items[:end])
        if exact is None:
            break
        head_end, heads = end, exact
    if not heads or "" in heads:
        return None
    run: set[int] = set()
    width = 0
    rest = items[head_end:]
    for at, (op, av) in enumerate(rest):
        if op in _ZERO_WIDTH:
            continue
        first = _first(op, av)
        if first is not None and width and not (first & run):
            if max(run | first) > 127:
                return None
            count = "*+" if width >= _MAXREPEAT else f"{{0,{width}}}+"
            alts = "|".join(re.escape(h) for h in sorted(heads, key=lambda h: (-len(h), h)))
            return f"(?=(?i:{alts}){_class(run)}{count}{_chain(rest[at:])})"
        pure = _pure(op, av)
        if pure is None:
            return None
        run |= pure[0]
        width = min(width + pure[1], _MAXREPEAT)
    return None


_CHAIN = 6  # items after the operator worth a relaxed look


def _chain(items: Items) -> str:
    """`items` relaxed into runs of characters, as long as each relaxes (a
    superset of what they match: each item as `[its characters]{min,max}`),
    the last run asking only for its minimum: after `=`, up to five quotes
    or spaces, then a value of 10+ characters, for gitleaks' keyword rules.
    The first item is known to relax (it begins with a known character)."""
    runs: list[tuple[frozenset[int], int, int]] = []
    for op, av in items[:_CHAIN]:
        relaxed = _relax(op, av)
        if relaxed is None or (relaxed[0] and max(relaxed[0]) > 127):
            break
        runs.append(relaxed)
    while runs and runs[-1][1] == 0:
        runs.pop()
    pieces = []
    for n, (chars, low, high) in enumerate(runs):
        if not chars or high == 0:
            continue
        if n == len(runs) - 1 or low == high:
            count = "" if low == 1 else f"{{{low}}}"
        else:
            count = f"{{{low},}}" if high >= _MAXREPEAT else f"{{{low},{high}}}"
        pieces.append(_class(chars) + count)
    return "".join(pieces)


def _relax(op: Any, av: Any) -> tuple[frozenset[int], int, int] | None:
    """(characters, fewest, most) such that every match of the item is a
    run of those characters of that length; None when not known."""
    if op in _ZERO_WIDTH:
        return frozenset(), 0, 0
    if op is C.LITERAL:
        return _fold(frozenset({av})), 1, 1
    if op is C.IN:
        listed = _charset(av)
        return None if listed is None or listed[0] else (_fold(listed[1]), 1, 1)
    if op in _REPEATS:
        inner = _relax_seq(list(av[2]))
        if inner is None:
            return None
        most = _MAXREPEAT if av[1] >= _MAXREPEAT or inner[2] >= _MAXREPEAT else min(inner[2] * av[1], _MAXREPEAT)
        return inner[0], min(inner[1] * av[0], 1 << 16), most
    if op is C.SUBPATTERN:
        return _relax_seq(list(av[3]))
    if op is C.BRANCH:
        found = [_relax_seq(list(b)) for b in av[1]]
        if any(f is None for f in found):
            return None
        known = [f for f in found if f is not None]
        chars: frozenset[int] = frozenset().union(*(f[0] for f in known))
        return chars, min(f[1] for f in known), max(f[2] for f in known)
    return None


def _relax_seq(items: Items) -> tuple[frozenset[int], int, int] | None:
    chars: frozenset[int] = frozenset()
    fewest = most = 0
    for op, av in items:
        relaxed = _relax(op, av)
        if relaxed is None:
            return None
        chars = chars | relaxed[0]
        fewest, most = min(fewest + relaxed[1], 1 << 16), min(most + relaxed[2], _MAXREPEAT)
    return chars, fewest, most


def with_precheck(source: str, check: str) -> str:
    """`source` with the lookahead `check` first, after any global flags
    (Python wants those at the very start)."""
    flags = re.match(r"\(\?[aiLmsux]+\)", source)
    at = flags.end() if flags else 0
    return source[:at] + check + source[at:]


def _exact(items: Items) -> set[str] | None:
    """Every text `items` can match (lower case), when they are few
    literal texts; zero-width items are passed over (a superset is fine
    for a necessary condition)."""
    texts = {""}
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        heads = _heads(op, av)
        if heads is not None:
            options = heads
        elif op is C.SUBPATTERN:
            found = _exact(list(av[3]))
            if found is None:
                return None
            options = found
        elif op is C.BRANCH:
            options = set()
            for branch in av[1]:
                found = _exact(list(branch))
                if found is None:
                    return None
                options |= found
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            found = _exact(list(av[2]))
            if found is None:
                return None
            options = found | {""}
        else:
            return None
        texts = {t + o for t in texts for o in options}
        if len(texts) > _MAX_TEXTS:
            return None
    return texts


def _first(op: Any, av: Any) -> frozenset[int] | None:
    """The characters (both cases) a match of this item may begin with, when
    it cannot match the empty string; else None."""
    if op is C.LITERAL:
        return _fold(frozenset({av}))
    if op is C.IN:
        chars = _charset(av)
        return None if chars is None or chars[0] else _fold(chars[1])
    if op in _REPEATS:
        return _first_of(list(av[2])) if av[0] >= 1 else None
    if op is C.SUBPATTERN:
        return _first_of(list(av[3]))
    if op is C.BRANCH:
        out: frozenset[int] = frozenset()
        for branch in av[1]:
            found = _first_of(list(branch))
            if found is None:
                return None
            out |= found
        return out
    return None


def _first_of(items: Items) -> frozenset[int] | None:
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        return _first(op, av)
    return None


def _pure(op: Any, av: Any) -> tuple[frozenset[int], int] | None:
    """(characters, most it takes) of an item that matches only runs of
    listed characters; None otherwise (a negated class, `.`)."""
    if op in _ZERO_WIDTH:
        return frozenset(), 0
    if op is C.LITERAL:
        return _fold(frozenset({av})), 1
    if op is C.IN:
        listed = _charset(av)
        return None if listed is None or listed[0] else (_fold(listed[1]), 1)
    if op in _REPEATS:
        inner = _pure_of(list(av[2]))
        if inner is None:
            return None
        return inner[0], (_MAXREPEAT if av[1] >= _MAXREPEAT else min(inner[1] * av[1], _MAXREPEAT))
    if op is C.SUBPATTERN:
        return _pure_of(list(av[3]))
    if op is C.BRANCH:
        chars: frozenset[int] = frozenset()
        most = 0
        for branch in av[1]:
            inner = _pure_of(list(branch))
            if inner is None:
                return None
            chars, most = chars | inner[0], max(most, inner[1])
        return chars, most
    return None


def _pure_of(items: Items) -> tuple[frozenset[int], int] | None:
    chars: frozenset[int] = frozenset()
    most = 0
    for op, av in items:
        inner = _pure(op, av)
        if inner is None:
            return None
        chars, most = chars | inner[0], min(most + inner[1], _MAXREPEAT)
    return chars, most


def _class(chars: frozenset[int] | set[int]) -> str:
    """A character class for `chars` (ASCII), as ranges of \\xNN escapes so
    it reads the same in a str and a bytes pattern."""
    codes = sorted(chars)
    parts = []
    start = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        parts.append(f"\\x{start:02x}" if start == prev else f"\\x{start:02x}-\\x{prev:02x}")
        start = prev = code
    return "[" + "".join(parts) + "]"


def says_newline(items: Items, dotall: bool = False) -> bool:
    """Does the regex name a line break itself (`\\n`, `\\r`, or `.` in
    dot-all mode), as gitleaks' rules for multi-line shapes do (a curl
    command continued over lines, a YAML block)? `\\s` alone does not count:
    a keyword rule's `[\\s'"]{0,3}` means spaces."""
    return any(_names_newline(op, av, dotall) for op, av in items)


def _names_newline(op: Any, av: Any, dotall: bool) -> bool:
    if op is C.LITERAL:
        return av in (10, 13)
    if op is C.ANY:
        return dotall
    if op is C.IN:
        negated = bool(av) and av[0][0] is C.NEGATE  # [^\n] names a line break to exclude it
        return not negated and any(
            (o is C.LITERAL and v in (10, 13)) or (o is C.RANGE and v[0] <= 13 and v[1] >= 10) for o, v in av)
    if op in _REPEATS:
        return says_newline(list(av[2]), dotall)
    if op is C.SUBPATTERN:
        return says_newline(list(av[3]), (dotall or bool(av[1] & re.DOTALL)) and not av[2] & re.DOTALL)
    if op is C.BRANCH:
        return any(says_newline(list(b), dotall) for b in av[1])
    if op in (C.ASSERT, C.ASSERT_NOT):
        return says_newline(list(av[1]), dotall)
    return False


# -- allowlists: literal branches out of the regex -----------------------------------------


def branches(source: str) -> list[str]:
    """The top-level alternatives of `source`, each a regex of its own with
    the flags in force around it: `(?i)(?:a|b(c|d))` gives `(?i)a` and
    `(?i)b(c|d)`. Read from the source text (escapes, classes and groups
    respected), so each alternative keeps its exact spelling."""
    flags = ""
    while True:
        lead = re.match(r"\(\?([aiLmsux]+)\)", source)
        if lead:
            flags += lead.group(1)
            source = source[lead.end():]
            continue
        group = re.match(r"\(\?([aiLmsux]*):", source)
        if group and _closing(source, 0) == len(source) - 1:
            flags += group.group(1)
            source = source[group.end() : -1]
            continue
        break
    parts, at = [], 0
    for i, c, depth in _outside_classes(source):
        if c == "|" and depth == 0:
            parts.append(source[at:i])
            at = i + 1
    parts.append(source[at:])
    head = f"(?{''.join(dict.fromkeys(flags))})" if flags else ""
    return [head + part for part in parts]


def _class_end(source: str, i: int) -> int:
    """Index after the class that opens at `i`."""
    i += 1
    if i < len(source) and source[i] == "^":
        i += 1
    if i < len(source) and source[i] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _outside_classes(source: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character of
    `source` from `start` that is neither escaped nor in a class."""
    depth, i, n = 0, start, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(source, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        yield i, c, depth
        i += 1


def _closing(source: str, start: int) -> int:
    """Index of the `)` closing the group that opens at `start`, or -1."""
    for i, c, depth in _outside_classes(source, start):
        if c == ")" and depth == 0:
            return i
    return -1


def literal_texts(source: str, limit: int = 512) -> set[str] | None:
    """Every text `source` matches, lower case, when they are finitely many
    literal texts matched in any case (`(?i)key[_.-]?(?:id|name)`); then
    searching for `source` is looking for one of these in the lowered text.
    None for anything else (an anchor, a class of many, a case-sensitive
    letter)."""
    parsed = parse(source)
    if parsed is None:
        return None
    found = _texts_ci(list(parsed.data), bool(parsed.state.flags & re.IGNORECASE), limit)
    return found if found and "" not in found else None


def _texts_ci(items: Items, ignore_case: bool, limit: int) -> set[str] | None:
    texts = {""}
    for op, av in items:
        if op is C.LITERAL or op is C.IN:
            codes = [av] if op is C.LITERAL else [v for o, v in av if o is C.LITERAL]
            if op is C.IN and (len(codes) != len(av) or len(codes) > 8):
                return None
            if not ignore_case and any(chr(c).isalpha() for c in codes):
                return None
            options = {_lower(c) for c in codes}
        elif op is C.SUBPATTERN:
            inner = (ignore_case or bool(av[1] & re.IGNORECASE)) and not av[2] & re.IGNORECASE
            found = _texts_ci(list(av[3]), inner, limit)
            if found is None:
                return None
            options = found
        elif op is C.BRANCH:
            options = set()
            for branch in av[1]:
                found = _texts_ci(list(branch), ignore_case, limit)
                if found is None:
                    return None
                options |= found
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            found = _texts_ci(list(av[2]), ignore_case, limit)
            if found is None:
                return None
            options = found | {""}
        else:
            return None
        texts = {t + o for t in texts for o in options}
        if len(texts) > limit:
            return None
    return texts


def starts_at_beginning(source: str) -> bool:
    """Does every match of `source` begin at the start of the text (`^` or
    `\\A` first, without MULTILINE)? Then searching is matching at 0."""
    parsed = parse(source)
    return parsed is not None and not parsed.state.flags & re.MULTILINE and _at_beginning(list(parsed.data))


def _at_beginning(items: Items) -> bool:
    if not items:
        return False
    op, av = items[0]
    if op is C.AT:
        return av in (C.AT_BEGINNING, C.AT_BEGINNING_STRING)
    if op is C.SUBPATTERN:
        return not av[1] & re.MULTILINE and _at_beginning(list(av[3]) + items[1:])
    if op is C.BRANCH:
        return all(_at_beginning(list(b) + items[1:]) for b in av[1])
    return False
