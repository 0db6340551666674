"""The one redaction layer: secrets out of everything written or shown.

Collection, evidence, the report, logs and notices all pass outside text
through `redact` (str) or `redact_bytes` (bytes, for logs that are not
valid UTF-8). Each secret becomes `«redacted:KIND»`; guillemets rather
than square brackets so a redaction can never be mistaken for Rich markup.

Users add rules in ~/.config/pmtui/redact.toml ($XDG_CONFIG_HOME honoured):

    patterns = ["corp-[0-9a-f]{32}", { name = "vault", pattern = "hvs\\.[A-Za-z0-9]{24,}" }]

A rule with a group named `secret` redacts only that group (keep the key,
hide the value); otherwise the whole match goes.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, AnyStr, Generic

from pmtui.rulefile import SecretRule, builtin_rules, entropy

MARK = "\u00abredacted:{}\u00bb"  # «redacted:kind»


class RedactConfigError(ValueError):
    """The user's redaction config cannot be used; the message names the
    file, the entry and what was expected."""


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str  # a group named `secret`, if present, is the part replaced


# -- private keys: a block over many lines, each maybe with its own prefix ----------

_PEM: dict[type, tuple[Any, ...]] = {  # per text type: begin, end, body, header, newline, marker
    str: (re.compile(r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"),
          re.compile(r"-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"),
          # key material at the end of a line (after a kubelet timestamp, a pod
          # name, a JSON quote...), and what may trail it
          re.compile(r"(?P<body>[A-Za-z0-9+/]{4,}={0,3})(?P<tail>[\s\"',\\]*)$"),
          re.compile(r"^[\s\"']*(?:Proc-Type|DEK-Info|Comment):"),
          "\n", "PRIVATE KEY"),
}
_PEM[bytes] = (re.compile(_PEM[str][0].pattern.encode()), re.compile(_PEM[str][1].pattern.encode()),
               re.compile(_PEM[str][2].pattern.encode()), re.compile(_PEM[str][3].pattern.encode()),
               b"\n", b"PRIVATE KEY")
_KEY_LINE_MIN = 12  # a body line shorter than this counts only as the block's last line
_KEY_LINES_MAX = 400  # an 8192-bit key in PEM is ~100 lines


def _private_keys(text: AnyStr, mark: AnyStr) -> tuple[AnyStr, bool]:
    """Key blocks redacted line by line, keeping each line's prefix (a
    kubelet timestamp, a container name) and the BEGIN/END lines; returns
    the text and whether a block was still open at its end (the stream
    holds such a tail until more comes)."""
    begin_re, end_re, body_re, _header_re, nl, _ = _PEM[type(text)]
    out: list[AnyStr] = []
    pos = 0
    open_at_end = False
    for m in begin_re.finditer(text):
        if m.start() < pos:
            continue
        line_end = _find(text, nl, m.end())
        out.append(text[pos : m.end()])
        rest = text[m.end() : line_end]
        end = end_re.search(rest)
        if end is not None:  # BEGIN and END on one line (an escaped \n in JSON)
            out.append((mark + rest[end.start():]) if rest[: end.start()].strip() else rest)
            pos = line_end
            continue
        out.append(_mark_body(rest, mark, body_re) if rest.strip() else rest)
        pos, open_at_end = _key_lines(text, line_end, mark, out)
    out.append(text[pos:])
    return text[:0].join(out), open_at_end


def _key_lines(text: AnyStr, at: int, mark: AnyStr, out: list[AnyStr]) -> tuple[int, bool]:
    """The lines after a BEGIN line, redacted into `out` while they look
    like key material; returns where the block stopped and whether the
    text ended inside it."""
    _, end_re, body_re, header_re, nl, _ = _PEM[type(text)]
    pos = at
    for _ in range(_KEY_LINES_MAX):
        if pos >= len(text):
            return pos, True
        stop = _find(text, nl, pos + 1)
        line = text[pos:stop]  # starts with its newline
        end = end_re.search(line)
        if end is not None:
            head = line[: end.start()]
            out.append(_mark_body(head, mark, body_re) + line[end.start():])
            return stop, False
        if not line.strip() or header_re.search(line):
            out.append(line)
            pos = stop
            continue
        body = body_re.search(line)
        if body is not None and len(body.group("body")) < _KEY_LINE_MIN and not _ends_next(text, stop):
            if not text[stop:].strip():
                return pos, True  # maybe the last line before END: wait for the next one
            body = None
        if body is None:
            return pos, False  # not key material: the block was cut short
        out.append(line[: body.start()] + mark + body.group("tail"))
        pos = stop
    return pos, False


def _mark_body(line: AnyStr, mark: AnyStr, body_re: re.Pattern[AnyStr]) -> AnyStr:
    body = body_re.search(line)
    return line if body is None else line[: body.start()] + mark + body.group("tail")


def _ends_next(text: AnyStr, at: int) -> bool:
    """Is the line after `at` the block's END line?"""
    _, end_re, _, _, nl, _ = _PEM[type(text)]
    nxt = text[at : _find(text, nl, at + 1)]
    return end_re.search(nxt) is not None


def _find(text: AnyStr, what: AnyStr, start: int) -> int:
    at = text.find(what, start)
    return len(text) if at == -1 else at


# -- the rule engine: anchors first, then each rule where its anchors are -------------

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Builtin rules see `^` and `$` at each line's start and end, as a log line's
# rules mean them: a chunk of a stream may begin anywhere.
_FLAGS = re.ASCII | re.MULTILINE


class _Engine(Generic[AnyStr]):
    """The rules for one text type (str or bytes).

    One Aho-Corasick pass over the lowered text finds every rule's anchors
    (texts derived from its regex by pmtui.rulefile.plan: a literal start,
    or a rare literal every match holds, or the keywords). A text with none
    costs that pass only. Then, per anchor found, each rule anchored there
    is tried at every place it was found, in one `map` (C loops, no Python
    per try: a failing try costs ~150 ns, most rejected by a derived
    lookahead), and each other rule on the lines that hold its anchor.
    Measured in benchmarks/bench_redact.py: the per-try Python loop this
    replaced ran at a third of the speed on a log full of `token`,
    `password` and `auth`."""

    def __init__(self, rules: list[SecretRule], kind: type[AnyStr]) -> None:
        import ahocorasick_rs

        self.rules = rules
        self.kind: type[AnyStr] = kind
        self.nl: AnyStr = self._encode("\n")
        self.patterns: list[re.Pattern[AnyStr] | None] = [None] * len(rules)
        self.marks: list[AnyStr] = [self._encode(MARK.format(r.id)) for r in rules]
        self.required: list[tuple[tuple[AnyStr, int], ...]] = [
            tuple((self._encode(t), n) for t, n in r.required) for r in rules]
        self.keywords: list[tuple[AnyStr, ...]] = [tuple(self._encode(k) for k in r.keywords) for r in rules]
        by_anchor: dict[str, tuple[list[int], list[int]]] = {}
        for i, rule in enumerate(rules):
            for anchor in rule.anchors or rule.keywords:
                by_anchor.setdefault(anchor, ([], []))[0 if rule.anchored else 1].append(i)
        anchors = sorted(by_anchor)
        self.at_rules = [tuple(by_anchor[a][0]) for a in anchors]  # tried at the anchor
        self.line_rules = [tuple(by_anchor[a][1]) for a in anchors]  # tried on its line
        # anchors of the rules whose match may run past its line (store them apart in redact_many)
        multiline: set[int] = set()
        for k, name in enumerate(anchors):
            at, on_line = by_anchor[name]
            if any(rules[j].multiline for j in at + on_line):
                multiline.add(k)
        self.multiline_anchors = frozenset(multiline)
        self.ac: Any = None
        if anchors:
            # the DFA scans ~3x faster than the default NFA here; built in ~2 ms
            dfa = ahocorasick_rs.Implementation.DFA
            if kind is bytes:
                self.ac = ahocorasick_rs.BytesAhoCorasick([a.encode() for a in anchors], implementation=dfa)
            else:
                self.ac = ahocorasick_rs.AhoCorasick(anchors, implementation=dfa)

    def _encode(self, text: str) -> AnyStr:
        return text.encode() if self.kind is bytes else text  # type: ignore[return-value]

    def _pattern(self, i: int) -> re.Pattern[AnyStr]:
        pattern = self.patterns[i]
        if pattern is None:
            source = self.rules[i].regex
            # a bytes pattern has no \\u escape: the guillemet's UTF-8 bytes instead
            text: Any = source.replace("\\u00ab", "\\xc2\\xab").encode() if self.kind is bytes else source
            pattern = re.compile(text, _FLAGS)
            self.patterns[i] = pattern
        return pattern

    def _lower(self, text: AnyStr) -> AnyStr:
        low = text.lower()
        if len(low) != len(text):  # a few non-ASCII letters lower to two characters
            low = text.translate(_ASCII_LOWER)  # type: ignore[arg-type]
        return low

    def run(self, text: AnyStr) -> AnyStr:
        return self._splice(text, self.spans(text))

    def spans(self, text: AnyStr) -> list[tuple[int, int, int, int]]:
        """(start, -end, priority, rule) of every secret the rules find in
        `text`, unsorted and maybe overlapping (`_splice` settles them)."""
        if self.ac is None:
            return []
        low = self._lower(text)
        return self.spans_at(text, low, self.ac.find_matches_as_indexes(low, overlapping=True))

    def spans_at(self, text: AnyStr, low: AnyStr, hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
        """`spans` given the text lowered and the automaton's hits in it."""
        if not hits:
            return []
        places: dict[int, list[int]] = {}
        # grouped by anchor at C speed: a Python loop over 200,000 hits (a
        # report's "api" in every event) cost more than the automaton's pass
        for anchor, group in groupby(sorted(hits), itemgetter(0)):
            places[anchor] = list(map(itemgetter(1), group))
        nl = self.nl
        spans: list[tuple[int, int, int, int]] = []  # (start, -end, priority, rule)
        on_lines: dict[int, set[int]] = {}  # rule -> starts of the lines to try it on
        for anchor, starts in places.items():
            if self.at_rules[anchor]:
                self._at_anchor(self.at_rules[anchor], text, low, starts, spans)
            if self.line_rules[anchor]:
                lines = {low.rfind(nl, 0, s) + 1 for s in starts}
                for i in self.line_rules[anchor]:
                    on_lines.setdefault(i, set()).update(lines)
        for i, lines in on_lines.items():
            self._on_lines(i, text, low, lines, spans)
        return spans

    def _at_anchor(self, rules: tuple[int, ...], text: AnyStr, low: AnyStr, starts: list[int],
                   spans: list[tuple[int, int, int, int]]) -> None:
        """Each of `rules` tried at each of `starts` (where its anchor is)."""
        ends: list[int] | None = None
        for i in rules:
            pattern = self.patterns[i] or self._pattern(i)
            required = self.required[i]
            if self.rules[i].multiline:
                # gitleaks scans whole files, so a match may run past the
                # line's end as there; only the secret group is replaced
                tries = [s for s in starts if self._reaches(low, s, required)] if required else starts
                found = map(pattern.match, repeat(text), tries)
            else:
                if ends is None:
                    size = len(text)
                    ends = [size if e < 0 else e for e in map(low.find, repeat(self.nl), starts)]
                tries, stops = starts, ends
                if required:
                    kept = [(s, e) for s, e in zip(starts, ends, strict=True) if self._holds(low, s, e, required)]
                    tries, stops = [s for s, _ in kept], [e for _, e in kept]
                found = map(pattern.match, repeat(text), tries, stops)
            for m in filter(None, found):
                self._add(i, m, text, spans)

    def _splice(self, text: AnyStr, spans: list[tuple[int, int, int, int]]) -> AnyStr:
        if not spans:
            return text
        spans.sort()
        pieces: list[AnyStr] = []
        pos = 0
        for start, neg_end, _, i in spans:
            if start < pos:
                continue  # inside a secret already replaced
            pieces.append(text[pos:start])
            pieces.append(self.marks[i])
            pos = -neg_end
        pieces.append(text[pos:])
        return text[:0].join(pieces)

    def _on_lines(self, i: int, text: AnyStr, low: AnyStr, lines: set[int],
                  spans: list[tuple[int, int, int, int]]) -> None:
        rule, nl = self.rules[i], self.nl
        pattern = self.patterns[i] or self._pattern(i)
        required, keywords = self.required[i], self.keywords[i]
        for start in lines:
            end = _find(low, nl, start)
            if required and not self._holds(low, start, end, required):
                continue
            if rule.need_keyword and not any(low.find(k, start, end) >= 0 for k in keywords):
                continue  # gitleaks tries a rule only where one of its keywords is
            for m in pattern.finditer(text, start, end):
                self._add(i, m, text, spans)

    @staticmethod
    def _holds(low: AnyStr, start: int, end: int, required: tuple[tuple[AnyStr, int], ...]) -> bool:
        return all(low.find(t, start, end) >= 0 for t, _ in required)

    def _reaches(self, low: AnyStr, start: int, required: tuple[tuple[AnyStr, int], ...]) -> bool:
        """Does each required text occur within as many lines from `start` as
        a match may span before it?"""
        nl = self.nl
        for text, lines in required:
            end = start
            for _ in range(lines + 1):
                end = low.find(nl, end)
                if end < 0:
                    end = len(low)
                    break
                end += 1
            if low.find(text, start, end) < 0:
                return False
        return True

    def _add(self, i: int, m: re.Match[AnyStr], text: AnyStr, spans: list[tuple[int, int, int, int]]) -> None:
        span = self._secret(i, m, text)
        if span is not None:
            spans.append((span[0], -span[1], 1 if self.rules[i].last else 0, i))

    def _secret(self, i: int, m: re.Match[AnyStr], text: AnyStr) -> tuple[int, int] | None:
        """The span of the secret in match `m` of rule `i`, or None when
        the rule's entropy floor or allowlists say it is not one."""
        rule = self.rules[i]
        group = rule.secret_group
        if not group:
            group = next((g for g in range(1, (m.re.groups or 0) + 1) if m.start(g) != -1 and m.end(g) > m.start(g)),
                         0)
        start, end = m.span(group)
        if start == end:
            return None
        if rule.entropy or rule.allow:
            secret = _text(text[start:end])
            if rule.entropy and entropy(secret) <= rule.entropy:
                return None
            if rule.allow:
                nl = self.nl
                line = text[text.rfind(nl, 0, m.start()) + 1 : _find(text, nl, m.end())]
                if any(a.allows(secret, _text(m.group()), _text(line)) for a in rule.allow):
                    return None
        return start, end


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


_Marks = dict[str, tuple[str, tuple[str, ...]]]  # group -> (rule name, secret groups)


def _str_replacer(marks: _Marks) -> Callable[[re.Match[str]], str]:
    return _replace_with({key: (MARK.format(name), secrets) for key, (name, secrets) in marks.items()})


def _bytes_replacer(marks: _Marks) -> Callable[[re.Match[bytes]], bytes]:
    return _replace_with({key: (MARK.format(name).encode(), secrets) for key, (name, secrets) in marks.items()})


def _replace_with(rendered: dict[str | None, tuple[AnyStr, tuple[str, ...]]]) -> Callable[[re.Match[AnyStr]], AnyStr]:
    """re.sub's replacement: the mark of the branch that matched (named by
    its closing empty group, or "" for a rule of its own), over the secret
    groups only when the rule has them."""
    single = rendered.get("")

    def replace(m: re.Match[AnyStr]) -> AnyStr:
        # Every builtin branch ends in a named group, so lastgroup is set.
        mark, secrets = single if single is not None else rendered[m.lastgroup]
        for group in secrets:
            start, end = m.span(group)
            if start != -1:
                whole, base = m.group(), m.start()
                return whole[: start - base] + mark + whole[end - base :]
        return mark

    return replace



def _spans_by_text(spans: Iterable[tuple[int, int, int, int]], starts: list[int], parts: Sequence[str],
                   ) -> tuple[dict[int, list[tuple[int, int, int, int]]], set[int]]:
    """The spans found in `parts` joined by newlines (`starts`: where each
    part begins), given back to their parts at the parts' own places; and
    the parts a span runs across, to be redacted alone."""
    found: dict[int, list[tuple[int, int, int, int]]] = {}
    across: set[int] = set()
    for start, neg_end, priority, rule in spans:
        k = bisect_right(starts, start) - 1
        base = starts[k]
        if -neg_end > base + len(parts[k]):
            across.update(range(k, bisect_right(starts, -neg_end - 1)))
            continue
        found.setdefault(k, []).append((start - base, neg_end + base, priority, rule))
    return found, across


class Redactor:
    """The builtin rules (gitleaks' and pmtui's, `pmtui.rulefile`), then
    each of `extra` (regex strings or Rule, the user's) over the whole text.
    Private-key blocks have a pass of their own first."""

    def __init__(self, extra: Iterable[str | Rule] = (), *, builtin: bool = True) -> None:
        self.extra = tuple(item if isinstance(item, Rule) else Rule("custom", item) for item in extra)
        self.builtin = builtin
        self._rules = builtin_rules() if builtin else []
        self._engines: dict[type, _Engine[Any]] = {}
        passes: list[tuple[re.Pattern[str], re.Pattern[bytes], _Marks]] = []
        for rule in self.extra:
            try:
                pattern = re.compile(rule.pattern)
                bpattern = re.compile(rule.pattern.encode("utf-8"))
            except (re.error, UnicodeEncodeError) as exc:
                raise RedactConfigError(
                    f"redaction rule {rule.name!r}: {rule.pattern!r} is not a regular expression: {exc}"
                ) from None
            if pattern.match(""):
                raise RedactConfigError(f"redaction rule {rule.name!r}: {rule.pattern!r} matches the empty string")
            secrets = ("secret",) if "secret" in pattern.groupindex else ()
            passes.append((pattern, bpattern, {"": (rule.name, secrets)}))
        self._str_subs = [(p, _str_replacer(marks)) for p, _, marks in passes]
        self._bytes_subs = [(b, _bytes_replacer(marks)) for _, b, marks in passes]

    def _engine(self, kind: type[AnyStr]) -> _Engine[AnyStr]:
        # Built on first use per type: the app redacts only text before its
        # first frame.
        engine = self._engines.get(kind)
        if engine is None:
            engine = self._engines[kind] = _Engine(self._rules, kind)
        return engine

    def redact(self, text: str) -> str:
        if not text:
            return text
        if self.builtin:
            if "PRIVATE KEY" in text:
                text = _private_keys(text, MARK.format("private-key"))[0]
            text = self._engine(str).run(text)
        for pattern, replace in self._str_subs:
            text = pattern.sub(replace, text)
        return text

    def redact_many(self, texts: Sequence[str]) -> list[str]:
        """redact() of each text, for many texts (a report's 100,000 events):
        one anchor pass over them all (the engine's Aho-Corasick automaton)
        picks the texts a rule can touch, and the rules run once over those
        joined (`_redact_joined`); the others come back as they are. With
        extra patterns of the user's, every text is redacted alone."""
        if not self.builtin or self._str_subs:
            return [self.redact(t) for t in texts]
        engine = self._engine(str)
        if engine.ac is None:
            return [self.redact(t) for t in texts]
        out = list(texts)
        for lo in range(0, len(texts), 5_000):  # a few thousand at a time: little held at once
            batch = texts[lo : lo + 5_000]
            joined = "\n".join(batch)
            if joined.isascii():
                self._redact_ascii(engine, batch, joined, lo, out)
            else:
                self._redact_batch(engine, texts, batch, lo, out)
        return out

    def _redact_batch(self, engine: _Engine[str], texts: Sequence[str], batch: Sequence[str], lo: int,
                      out: list[str]) -> None:
        touched: set[int] = set()
        alone: set[int] = set()  # texts a rule that may run past its line can touch: redacted one by one
        multiline = engine.multiline_anchors
        lows = [engine._lower(t) for t in batch]
        # Every anchor found in a text is found in the joined texts too; a
        # hit across a newline only makes redact() look at a text in vain.
        starts = list(accumulate(map((1).__add__, map(len, lows)), initial=0))
        hits = engine.ac.find_matches_as_indexes("\n".join(lows), overlapping=True)
        for anchor, start, _end in hits:
            k = lo + bisect_right(starts, start) - 1
            touched.add(k)
            if anchor in multiline:
                alone.add(k)
        for i, text in enumerate(batch):
            if "PRIVATE KEY" in text:
                alone.add(lo + i)
        for i in alone:
            out[i] = self.redact(texts[i])
        self._redact_joined(engine, texts, sorted(touched - alone), out)

    def _redact_ascii(self, engine: _Engine[str], batch: Sequence[str], joined: str, lo: int,
                      out: list[str]) -> None:
        """_redact_batch for texts all ASCII (lowering keeps every length, so
        the joined texts lowered are the texts lowered, joined): the rules
        run over the whole batch joined, on the anchor pass's own hits (a
        second pass over the texts a rule can touch cost 35 ms at 100,000
        events). Whatever a rule finds starts at its anchor or on the line
        that holds it, within one text, and sees nothing past its line; the
        rules that may are the multi-line ones: the texts holding their
        anchors are redacted alone and what they find here is dropped (a
        `curl` in one text and `-u user:pass` in the next: the secret is in
        the second, which redact() alone leaves as it is). So the texts
        around a text change nothing; a secret found across two texts makes
        both be redacted alone."""
        low = joined.lower()
        hits = engine.ac.find_matches_as_indexes(low, overlapping=True)
        if not hits:
            return
        starts = list(accumulate(map((1).__add__, map(len, batch)), initial=0))
        multiline = engine.multiline_anchors
        alone = {bisect_right(starts, start) - 1 for anchor, start, _end in hits if anchor in multiline}
        at = joined.find("PRIVATE KEY")
        while at >= 0:
            alone.add(bisect_right(starts, at) - 1)
            at = joined.find("PRIVATE KEY", at + 1)
        rules = engine.rules
        # A multi-line rule's anchor's text is redacted alone: its secret may lie in the texts after.
        single = (s for s in engine.spans_at(joined, low, hits) if not rules[s[3]].multiline)
        found, across = _spans_by_text(single, starts, batch)
        alone |= across
        for k, spans in found.items():
            if k not in alone:
                out[lo + k] = engine._splice(batch[k], spans)
        for k in alone:
            out[lo + k] = self.redact(batch[k])

    def _redact_joined(self, engine: _Engine[str], texts: Sequence[str], chosen: list[int], out: list[str]) -> None:
        """The rules run once over the chosen texts joined by newlines (a
        run per text cost ~17 us of Python at 100,000 events), each secret
        found given back to its text. The rules see the same lines either
        way (every rule but the three that may run past their line, whose
        texts are redacted alone, stops at a line's end; the one character
        a lookbehind sees before a text is a newline, as good as its start
        for every rule shipped). A secret found across two texts makes both
        be redacted alone."""
        for lo in range(0, len(chosen), 2_000):
            batch = chosen[lo : lo + 2_000]
            parts = [texts[i] for i in batch]
            starts = list(accumulate(map((1).__add__, map(len, parts)), initial=0))
            found, redo = _spans_by_text(engine.spans("\n".join(parts)), starts, parts)
            for k, spans in found.items():
                if k not in redo:
                    out[batch[k]] = engine._splice(parts[k], spans)
            for k in redo:
                out[batch[k]] = self.redact(parts[k])

    def redact_bytes(self, data: bytes) -> bytes:
        if not data:
            return bytes(data)
        data = bytes(data)
        if self.builtin:
            if b"PRIVATE KEY" in data:
                data = _private_keys(data, MARK.format("private-key").encode())[0]
            data = self._engine(bytes).run(data)
        for pattern, replace in self._bytes_subs:
            data = pattern.sub(replace, data)
        return data

    def lines(self) -> LineRedactor:
        """A redactor for a text that arrives one line at a time (a log
        scanner's lines): it remembers an open private-key block, so the
        body lines after a BEGIN line are redacted too."""
        return LineRedactor(self)

    def stream(self, chunks: Iterable[bytes], *, hold_limit: int = 1 << 20) -> Iterator[bytes]:
        """Redact a byte stream chunk by chunk without holding all of it.

        Output is cut at line ends so no secret is split between two scans;
        an open private-key block (a BEGIN line followed only by key
        material so far) is held until it ends, or until `hold_limit`
        bytes, after which it is redacted as it stands."""
        pending = b""
        for chunk in chunks:
            if not chunk:
                continue
            pending += chunk
            cut = pending.rfind(b"\n") + 1
            if cut == 0:
                if len(pending) < hold_limit:
                    continue
                cut = len(pending)
            begin = pending.rfind(b"-----BEGIN", 0, cut)
            if begin != -1 and len(pending) - begin < hold_limit and self.builtin:
                line = pending.rfind(b"\n", 0, begin) + 1
                if _private_keys(pending[line:cut], b"")[1]:
                    cut = line
            if cut:
                yield self.redact_bytes(pending[:cut])
                pending = pending[cut:]
        if pending:
            yield self.redact_bytes(pending)


class LineRedactor:
    """`Redactor.lines()`: lines redacted one by one, a private-key block's
    body included however many lines it spans."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._in_key = False
        self._mark = MARK.format("private-key").encode()

    def redact_line(self, line: bytes) -> bytes:
        if self._in_key and self.redactor.builtin:
            begin_re, end_re, body_re, header_re, _, _ = _PEM[bytes]
            end = end_re.search(line)
            if end is not None:
                self._in_key = False
                return _mark_body(line[: end.start()], self._mark, body_re) + line[end.start():]
            if not line.strip() or header_re.search(line):
                return line
            body = body_re.search(line)
            if body is not None and begin_re.search(line) is None:
                return line[: body.start()] + self._mark + body.group("tail")
            self._in_key = False
        out = self.redactor.redact_bytes(line)
        if b"PRIVATE KEY" in line and self.redactor.builtin:
            self._in_key = _private_keys(line, b"")[1]
        return out


# -- the user's extra rules ------------------------------------------------------


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pmtui" / "redact.toml"


def load_extra_patterns(path: str | os.PathLike[str]) -> list[Rule]:
    """Rules from a redact.toml; a missing file means none. Raises
    RedactConfigError naming the file and entry for anything unusable."""
    import tomllib

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RedactConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RedactConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RedactConfigError(f"{path}: {exc}") from None
    unknown = sorted(set(data) - {"patterns"})
    if unknown:
        raise RedactConfigError(f"{path}: unknown key {unknown[0]!r}; expected only patterns = [\"regex\", ...]")
    entries = data.get("patterns", [])
    if not isinstance(entries, list):
        raise RedactConfigError(
            f"{path}: patterns: expected a list of regular expressions, got {type(entries).__name__}"
        )
    rules: list[Rule] = []
    for n, entry in enumerate(entries, 1):
        where = f"{path}: patterns[{n}]"
        if isinstance(entry, str):
            name, pattern = "custom", entry
        elif isinstance(entry, dict) and isinstance(entry.get("pattern"), str):
            name, pattern = str(entry.get("name") or "custom"), entry["pattern"]
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
                raise RedactConfigError(f"{where}: name {name!r}: expected 1-40 letters, digits, - or _")
        else:
            raise RedactConfigError(f'{where}: expected a string or {{ name = "...", pattern = "..." }}')
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise RedactConfigError(f"{where}: {pattern!r} is not a regular expression: {exc}") from None
        if compiled.match(""):
            raise RedactConfigError(f"{where}: {pattern!r} matches the empty string (it would match everywhere)")
        rules.append(Rule(name, pattern))
    return rules


_default: Redactor | None = None


def default_redactor() -> Redactor:
    """Builtin rules plus the user's config, built once. A broken config
    raises RedactConfigError rather than silently redacting less."""
    global _default
    if _default is None:
        _default = Redactor(load_extra_patterns(config_path()))
    return _default


def set_default_redactor(redactor: Redactor | None) -> None:
    """Replace the shared redactor; None rebuilds it (config re-read) on next use."""
    global _default
    _default = redactor


def redact(text: str) -> str:
    return default_redactor().redact(text)


def redact_many(texts: Sequence[str]) -> list[str]:
    return default_redactor().redact_many(texts)


def redact_bytes(data: bytes) -> bytes:
    return default_redactor().redact_bytes(data)
