"""Log signatures: lines grouped into templates, streamed over bytes or fed
as (time, text) pairs, and what is worth a timeline row among them.

## The API a log source uses (kubernetes here; Loki, log files... alike)

    summary = group_lines(lines, window=w, baseline_end=b, rules=r, stream="pod/api-1 api",
                          source="kubernetes", evidence=ev.id)
        lines: an iterable of (aware UTC datetime or None, text), in time
        order; a line without a time takes the time before it (a stack
        frame). Returns a LogSummary: the templates (Signature: template,
        message, level, count, first/last time, first line number, count in
        the baseline, counts per minute) of the lines inside `w`.
    SignatureScanner(...).feed(bytes)/close() and scan_file(path) do the same
        over raw `kubectl logs --timestamps` bytes, at grep speed; with
        `all_lines=False` (the default) only error lines are templated.
    result.logs.append(summary)                      (SourceResult.logs)

and nothing else: after every source has run, the orchestrator calls

    log_candidates(summaries, baseline_end=b)   -> [Candidate]

over all of them at once, so one template seen on three pods and in a log
file is one candidate ("on 3 pods, first on ..., x1,234"), and a template is
*new* only when no stream had it in the baseline. It proposes: the first
line of each error template (with a baseline: only new ones, or ones whose
rate jumps); a template of any level that never occurs in the baseline and
appears after it ("new: ..."); a sharp rate rise of a known WARN or ERROR
template. Each candidate keeps the evidence reference of every stream
(`EVIDENCE#Lline`). Masking is in logmask (two stages, measured by
benchmarks/bench_grouping.py); `unify` merges templates across streams too.

What counts as error, warning or noise can be set per source in the file
(`errors`, `warnings`, `ignore`: regular expressions, tried on a template's
first line): `Rules.of(errors, warnings, ignore)`.

## How the byte scanner is fast

Pod logs fetched with `timestamps=true` start each line with an RFC3339
time. The scanner takes the log in pieces of any size; memory is the chunk
being scanned plus a bounded table of templates, whatever the size of the
log. In error-only mode each chunk is searched once for all literal anchors
of the error pattern (Aho-Corasick with a SIMD prefilter, from
ahocorasick-rs; Python's own regex engine tries an alternation at every byte
and runs about 7x slower than grep). Only the lines around a hit are
time-checked, verified and templated, and a line whose digit-stripped text
was seen before reuses its template. Times are compared as bytes: RFC3339
UTC times of fixed width sort as text. Lines are assumed to arrive in time
order, as the kubelet writes them; every matched line is still checked
against the window on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from pmtui.sources.base import Candidate, Window
from pmtui.sources.logmask import KEEP_WORDS, readable, template_of, unify
from pmtui.sources.logtypes import LogSummary, Signature
from pmtui.textsafe import printable

if TYPE_CHECKING:
    from pmtui.redact import Redactor

# Bytes the scanner searches: a chunk it was fed, or scan_file's reused buffer.
_Buf = bytes | bytearray
# chunk -> (anchor index, position) of each anchor hit, in order.
HitFinder = Callable[[_Buf | memoryview], Iterable[tuple[int, int]]]

# What makes a line an error line. ERROR_PATTERN is also valid POSIX ERE, so
# `grep -cE ERROR_PATTERN` counts the same lines (the benchmark relies on it).
ERROR_PATTERN = (
    r'error|ERROR|Error|fatal|FATAL|panic|Exception|" 5[0-9][0-9] |status=5[0-9][0-9]|"status":5[0-9][0-9]'
)
# Literal pieces of ERROR_PATTERN: every line it matches holds one of them.
# A hit on an anchor from EXACT_ANCHORS on is a match of the pattern itself;
# the others need the full pattern checked on their line.
ANCHORS = (b"error", b"ERROR", b"Error", b"fatal", b"FATAL", b"panic", b"Exception", b'" 5', b"status=5", b'"status":5')
EXACT_ANCHORS = 7
_DIGITS = b"0123456789"
_ERROR_RE = re.compile(ERROR_PATTERN.encode())
# An explicit quiet level wins over a message that merely mentions "error".
# Case-sensitive with a literal prefix, so the engine finds `level` fast.
_QUIET_RE = re.compile(rb'level(?:=|": ?|: )"?(?:info|debug|trace|INFO|DEBUG|TRACE|Info|Debug|Trace)\b')
_LEVEL_RE = re.compile(
    rb'\blevel[=:] ?"?(?P<a>[A-Za-z]+)|"level": ?"(?P<b>[A-Za-z]+)|\b(?P<c>ERROR|FATAL|PANIC|CRITICAL)\b'
)

# RFC3339 as the kubelet writes it: 2025-02-09T10:05:23.123456789Z (or +00:00)
_TS_RE = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) ")
_TS_LEN = 19  # the fixed-width, lexically sortable part

_ESCAPES_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")


def mask(text: str) -> str:
    """The template of a line: its variables written <*> (logmask, stage 1)."""
    return template_of(text)


_MSG_RE = re.compile(r'\b(?:msg|message)=(?:"((?:\\.|[^"\\])*)"|(\S+))|"(?:msg|message)": ?"((?:\\.|[^"\\])*)"')

MAX_TEMPLATE = 300  # characters kept of a template (a 100 KB line stays readable)
MAX_EXAMPLE = 500
SEVERE = ("fatal", "panic", "critical", "crit", "alert", "emerg")
# Level words as programs write them: key=value, JSON, klog's I/W/E/F prefix,
# bracketed ([error], [proxy:error]), and bare upper-case words.
_LEVEL_WORD_RE = re.compile(
    r'\b(?:level|lvl|severity|levelname)(?:=|": ?"|: )"?(?P<a>[A-Za-z]+)'
    r"|\[(?:\w+:)?(?P<b>emerg|alert|crit|error|warn|notice|info|debug)\]"
    r"|^(?P<k>[IWEF])\d{4} "
    r"|\b(?P<c>FATAL|PANIC|CRITICAL|ERROR|Error|WARNING|WARN|Warning|INFO|DEBUG|TRACE|NOTICE|LOG|DETAIL)\b"
)
_LEVELS = {"fatal": "fatal", "panic": "panic", "critical": "critical", "crit": "critical", "emerg": "fatal",
           "alert": "fatal", "error": "error", "err": "error", "eror": "error", "warning": "warn", "warn": "warn",
           "notice": "info", "info": "info", "information": "info", "log": "info", "detail": "info",
           "debug": "debug", "trace": "debug", "dbug": "debug", "e": "error", "w": "warn", "i": "info", "f": "fatal"}
_HTTP_5XX_RE = re.compile(r'" 5\d\d |status=5\d\d|"status":5\d\d|\] "[A-Z]+ [^"]*" 5\d\d ')
_ERROR_WORDS_RE = re.compile(r"\b(?:panic|Exception|Traceback|fatal error)\b|^\s*(?:at |Caused by:|\.\.\. \d+ more)")

RANK = {"debug": 0, "info": 1, "warn": 2, "error": 3, "critical": 4, "fatal": 4, "panic": 4, "ignore": -1}


def level_of(text: str) -> str:
    """The level a line declares, else what its shape says (a 5xx access
    line, an exception or stack frame is an error), else info."""
    m = _LEVEL_WORD_RE.search(text[:400])
    if m is not None:
        word = (m.group("a") or m.group("b") or m.group("k") or m.group("c") or "").lower()
        if word in _LEVELS:
            return _LEVELS[word]
    if _HTTP_5XX_RE.search(text) or _ERROR_WORDS_RE.search(text):
        return "error"
    return "info"


@dataclass(frozen=True)
class Rules:
    """Per-source patterns from the file (`errors`, `warnings`, `ignore`):
    tried, in that order of precedence (ignore first), on the first line of
    each template. A match sets its level."""

    errors: tuple[re.Pattern[str], ...] = ()
    warnings: tuple[re.Pattern[str], ...] = ()
    ignore: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def of(cls, errors: Iterable[str] = (), warnings: Iterable[str] = (), ignore: Iterable[str] = (),
           *, where: str = "") -> Rules:
        """Compiled; ValueError naming the setting and the pattern when one
        is not a regular expression."""
        def compiled(name: str, patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
            out = []
            for text in patterns:
                try:
                    out.append(re.compile(text))
                except re.error as exc:
                    raise ValueError(f"{where}{name}: {text!r} is not a regular expression: {exc}") from None
            return tuple(out)

        return cls(compiled("errors", errors), compiled("warnings", warnings), compiled("ignore", ignore))

    def level(self, text: str) -> str:
        if any(p.search(text) for p in self.ignore):
            return "ignore"
        if any(p.search(text) for p in self.errors):
            return "error"
        if any(p.search(text) for p in self.warnings):
            return "warn"
        return level_of(text)


NO_RULES = Rules()


# What the template cache holds for a line it has not seen.
_UNSEEN = Signature("", "", "")

# -- the shape of a line (all-lines mode) ---------------------------------------------
# In all-lines mode every line needs its template, and masking one costs
# ~60 us (logmask), so lines are cached by a cheap key that two lines share
# only when their templates are equal. Digits alone (the error mode's key)
# leave hex ids in (req=1f3a9c...), so nearly every line missed: 48 s for
# the benchmark's million lines. The shape replaces each run that starts
# with a digit (letters, digits and . : - inside it, ending on a letter or
# digit: a time, a version, an address, a hex id) by \0, in one C pass over
# a whole chunk: logmask masks every word holding a digit, keeping its
# leading and trailing punctuation, so lines that differ only in such runs
# share a template. What logmask keeps, the shape keeps: digits in key
# names (`shard2=`: the lookahead), the technical words of KEEP_WORDS (`v1`,
# `http2`, `tls1.2`: their digits turned into other bytes first, found in
# one Aho-Corasick pass). A shape whose lines logmask reads another way
# (JSON, single quotes, escape sequences, a level given as a number) sends
# its lines to the digits-only key instead, as does a line longer than the
# masker reads. Redaction runs on a new template's first line: a secret-
# bearing line may join the group of a line of the same shape without one;
# its secret is never kept (a group's text is its first line's, redacted).
_SHAPE_RE = re.compile(rb"[0-9](?:[A-Za-z0-9.:\-]*[A-Za-z0-9])?(?![A-Za-z0-9_.\-]*=)")
_KEEP = tuple(sorted({w.encode() for w in KEEP_WORDS if any(ch.isdigit() for ch in w)}))
_UNDIGIT = bytes.maketrans(b"0123456789", bytes(range(0x10, 0x1A)))
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NUMERIC_LEVEL_RE = re.compile(rb'(?i:level|lvl|severity|severity_text|levelname)="?\x00')
# A shape whose lines take the digits-only key.
_EXACT = Signature("", "", "")


def _keep_hits(lowered: bytes) -> list[tuple[int, int]]:
    """(start, end) of each KEEP_WORDS word in the text (lower case)."""
    global _KEEP_FINDER
    if _KEEP_FINDER is None:
        try:
            import ahocorasick_rs
        except ImportError:
            _KEEP_FINDER = False
        else:
            _KEEP_FINDER = ahocorasick_rs.BytesAhoCorasick(list(_KEEP),
                                                            matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
    if _KEEP_FINDER is False:
        hits = []
        for word in _KEEP:
            pos = lowered.find(word)
            while pos >= 0:
                hits.append((pos, pos + len(word)))
                pos = lowered.find(word, pos + 1)
        return hits
    return [(start, end) for _, start, end in _KEEP_FINDER.find_matches_as_indexes(lowered)]


_KEEP_FINDER: Any = None


def shapes(data: bytes) -> list[bytes]:
    """The shape of each line of `data` (see above): as many items as
    data.split(b"\n")."""
    work: bytearray | None = None
    size = len(data)
    for start, end in _keep_hits(data.lower()):
        if (start == 0 or data[start - 1] not in _ALNUM) and (end == size or data[end] not in _ALNUM):
            if work is None:
                work = bytearray(data)
            work[start:end] = data[start:end].translate(_UNDIGIT)
    return _SHAPE_RE.sub(b"\0", data if work is None else work).split(b"\n")


def _exact_shape(shape: bytes) -> bool:
    """Lines of this shape are read by logmask in another way than the
    shape assumes: they take the digits-only key."""
    body = shape[2:] if shape[:2] == b"\x00 " else shape
    return body[:1] == b"{" or b"'" in shape or b"\x1b" in shape or _NUMERIC_LEVEL_RE.search(shape) is not None


def _key(ts: bytes, frac: bytes | None) -> bytes:
    return ts + (frac or b"").ljust(9, b"0")


def _to_datetime(key: bytes) -> datetime:
    s = key.decode("ascii")
    return datetime(
        int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]), int(s[17:19]),
        int(s[19:25]), tzinfo=UTC,
    )


def _window_key(when: datetime, *, end: bool) -> bytes:
    when = when.astimezone(UTC)
    frac = f"{when.microsecond:06d}" + ("999" if end else "000")
    return when.strftime("%Y-%m-%dT%H:%M:%S").encode() + frac.encode()


class SignatureScanner:
    """Feed log bytes in any pieces; `close()` returns the summary.

    Only lines whose time falls in `window` count (None = all). With a
    `redactor`, template and example text are redacted before anything
    keeps them."""

    def __init__(
        self,
        window: Window | None = None,
        *,
        redactor: Redactor | None = None,
        max_templates: int = 1000,
        chunk_size: int = 1 << 20,
        anchors: tuple[bytes, ...] = ANCHORS,
        pattern: re.Pattern[bytes] = _ERROR_RE,
        exact_anchors: int = EXACT_ANCHORS,
        engine: str = "auto",
        all_lines: bool = False,
        baseline_end: datetime | None = None,
        rules: Rules = NO_RULES,
        assign: bool = False,
    ) -> None:
        self.window = window
        self._lo = _window_key(window.start, end=False) if window else None
        self._hi = _window_key(window.end, end=True) if window else None
        self._lo19 = self._lo[:_TS_LEN] if self._lo else None
        self._hi19 = self._hi[:_TS_LEN] if self._hi else None
        self._redactor = redactor
        self._max = max_templates
        self._chunk = chunk_size
        self._anchors = anchors
        self._pattern = pattern
        self._exact = exact_anchors
        self._find_hits = _hit_finder(anchors, engine)
        self._cache: dict[bytes, Signature | None] = {}
        # all-lines mode: shape -> signature, for stamped lines and for others
        self._shapes: dict[bytes, Signature] = {}
        self._shapes_ts: dict[bytes, Signature] = {}
        self._parts: list[bytes] = []
        self._size = 0
        self._by_template: dict[str, Signature] = {}
        self._last_key = b""  # time of the last timestamped line seen, for continuation lines
        self.summary = LogSummary(all_lines=all_lines)
        self._first_key = b""
        self._final_key = b""
        self._all = all_lines
        self._base = _window_key(baseline_end, end=False) if baseline_end is not None else None
        self._rules = rules
        self._assign: list[Signature] | None = [] if assign else None
        self._lines_before = 0  # newlines before the chunk being scanned (line numbers are 1-based)

    # -- feeding -----------------------------------------------------------------

    def feed(self, data: bytes) -> bool:
        """Take more bytes. False once the log has gone past the window end
        (the caller may stop reading)."""
        if self.summary.past_window:
            return False
        self.summary.bytes_read += len(data)
        self._parts.append(data)
        self._size += len(data)
        if self._size >= self._chunk:
            buf = b"".join(self._parts)
            cut = buf.rfind(b"\n") + 1
            if cut == 0 and len(buf) < 16 * self._chunk:
                self._parts = [buf]
                return True
            cut = cut or len(buf)
            self._scan(buf, cut)
            rest = buf[cut:]
            self._parts = [rest] if rest else []
            self._size = len(rest)
        return not self.summary.past_window

    # -- one chunk of whole lines ---------------------------------------------------

    def _line_key(self, chunk: _Buf, start: int) -> bytes | None:
        m = _TS_RE.match(chunk, start)
        if m is None or m.group(3) not in (b"Z", b"+00:00"):
            return None
        return _key(m.group(1), m.group(2))

    def _edge_key(self, chunk: _Buf, size: int, *, last: bool) -> bytes | None:
        """The time of the first (or last) timestamped line of the chunk,
        looking at no more than a few lines."""
        if not last:
            pos = 0
            for _ in range(32):
                key = self._line_key(chunk, pos)
                if key is not None:
                    return key
                pos = chunk.find(b"\n", pos, size) + 1
                if pos == 0 or pos >= size:
                    return None
            return None
        end = size - 1 if chunk[size - 1 : size] == b"\n" else size
        for _ in range(32):
            start = chunk.rfind(b"\n", 0, end) + 1
            key = self._line_key(chunk, start)
            if key is not None:
                return key
            if start == 0:
                return None
            end = start - 1
        return None

    def _scan(self, buf: _Buf, size: int) -> None:
        """Scan buf[:size], whole lines (no copy of the slice: the bounds
        are passed to every search instead)."""
        chunk = memoryview(buf)[:size] if size < len(buf) else buf
        first = self._edge_key(buf, size, last=False)
        last = self._edge_key(buf, size, last=True)
        if not self._enter(buf, size, first, last):
            return
        if self._all:
            self._scan_all(buf, size)
            if last is not None:
                self._leave(buf, size, last)
            return
        chunk_last = self._last_key
        lo, hi = self._lo, self._hi
        find = buf.find
        line_end = -1
        counted, lineno = 0, self._lines_before
        for index, pos in self._find_hits(chunk):
            if pos < line_end:
                continue  # this line was taken already
            start = buf.rfind(b"\n", 0, pos) + 1
            line_end = find(b"\n", pos, size)
            if line_end == -1:
                line_end = size
            key = self._line_key(buf, start)
            if key is None:
                key = self._key_before(buf, start) or chunk_last or None
            if key is not None and ((lo is not None and key < lo) or (hi is not None and key > hi)):
                continue
            line = bytes(buf[start:line_end])
            if index >= self._exact and not self._pattern.search(line):
                line_end = pos + 1  # later anchors on this line may still match
                continue
            if b"evel" in line and _QUIET_RE.search(line):
                continue
            lineno += buf.count(b"\n", counted, start)
            counted = start
            self._record(line, key, lineno + 1, shaped=True)
        # The newlines after the last hit: each byte is counted once.
        self._lines_before = lineno + buf.count(b"\n", counted, size)
        if last is not None:
            self._leave(buf, size, last)

    def _scan_all(self, buf: _Buf, size: int) -> None:
        """Every line of buf[:size] in the window, templated (new templates
        and rates need all of them, not only the error lines): each line's
        template looked up by its shape (see `shapes`), counted inline."""
        lo, hi = self._lo, self._hi
        lineno = self._lines_before
        key: bytes | None = self._last_key or None
        data = bytes(buf[:size])
        lines = data.split(b"\n")
        shaped = shapes(data)
        by_shape, by_shape_ts = self._shapes, self._shapes_ts
        base, s, limit, assign = self._base, self.summary, 4 * MAX_EXAMPLE, self._assign
        ts_match = _TS_RE.match
        for line, shape in zip(lines, shaped, strict=True):
            lineno += 1
            if not line:
                continue
            m = ts_match(line)
            stamped = m is not None and m.group(3) in (b"Z", b"+00:00")
            if stamped:
                assert m is not None
                key = _key(m.group(1), m.group(2))
            if key is not None and ((lo is not None and key < lo) or (hi is not None and key > hi)):
                continue
            table = by_shape_ts if stamped else by_shape
            sig = table.get(shape)
            if sig is None or sig is _EXACT or len(line) > limit:
                if sig is _EXACT or len(line) > limit:
                    self._record(line, key, lineno)
                    continue
                if _exact_shape(shape):
                    table[shape] = _EXACT
                    self._record(line, key, lineno)
                    continue
                found = self._sig_for(line[m.end():] if m is not None else line)
                if found is None:
                    s.overflow += 1
                    continue
                if len(table) >= 4 * self._max:
                    table.clear()
                table[shape] = sig = found
            if sig.level == "ignore":
                continue
            s.lines += 1
            if RANK.get(sig.level, 1) >= 3:
                s.error_lines += 1
            _count(sig, key, lineno, base)
            if assign is not None:
                assign.append(sig)
        if size and buf[size - 1 : size] != b"\n":
            lineno -= 1  # the last piece was not a whole line
        self._lines_before = lineno

    def _sig_for(self, body: bytes) -> Signature | None:
        """The signature of a line's body through the digits-only cache."""
        short = body[: 4 * MAX_EXAMPLE].translate(None, _DIGITS)
        sig = self._cache.get(short, _UNSEEN)
        if sig is _UNSEEN:
            sig = self._signature(body)
            if len(self._cache) >= 4 * self._max:
                self._cache.clear()
            self._cache[short] = sig
        return sig

    def _enter(self, buf: _Buf, size: int, first: bytes | None, last: bytes | None) -> bool:
        """Before a chunk's lines are searched: False when the whole chunk
        lies outside the window (before it, or past its end: then the log is
        done). Notes the first in-window time the log reaches."""
        if self._hi is not None and first is not None and first > self._hi:
            self.summary.past_window = True
            return False
        if self._lo is not None and last is not None and last < self._lo:
            self._last_key = last
            self._lines_before += buf.count(b"\n", 0, size)
            return False
        if not self._first_key and first is not None:
            if self._lo is None or first >= self._lo:
                self._first_key = first
            else:  # the window starts inside this chunk
                self._first_key = self._edge_in_window(buf, size, self._lo, last=False)
        return True

    def _leave(self, buf: _Buf, size: int, last: bytes) -> None:
        """After a chunk: the last in-window time read so far, and whether
        the log has gone past the window's end."""
        self._last_key = last
        if self._hi is None or last <= self._hi:
            if self._lo is None or last >= self._lo:
                self._final_key = max(self._final_key, last)
        else:
            # The window ends inside this chunk: the last in-window time
            # is found among its lines (rare, so a plain walk is fine).
            self._final_key = max(self._final_key, self._edge_in_window(buf, size, self._hi + b"\x00", last=True))
            self.summary.past_window = True

    def _key_before(self, chunk: _Buf, start: int) -> bytes | None:
        end = start - 1
        for _ in range(64):
            if end <= 0:
                return None
            begin = chunk.rfind(b"\n", 0, end) + 1
            key = self._line_key(chunk, begin)
            if key is not None:
                return key
            end = begin - 1
        return None

    def _edge_in_window(self, buf: _Buf, size: int, target: bytes, *, last: bool) -> bytes:
        """Earliest (or latest) line time inside the window, for the chunk a
        window boundary (`target`: the window's start, or just past its end)
        falls in: bisect on byte offsets over sorted lines."""
        lo, hi = 0, size  # the first line at or past target starts in [lo, hi]
        while hi - lo > 8192:
            mid = buf.find(b"\n", (lo + hi) // 2, hi) + 1
            key = self._line_key(buf, mid) if 0 < mid < hi else None
            if key is None:
                break
            if key < target:
                lo = mid
            else:
                hi = mid
        pos = lo
        while pos < size:  # a short walk over the few lines left
            key = self._line_key(buf, pos)
            if key is not None and key >= target:
                break
            pos = buf.find(b"\n", pos, size) + 1
            if pos == 0:
                pos = size
        if last:
            key = self._key_before(buf, pos) if pos else None
            return key if key is not None and (self._lo is None or key >= self._lo) else b""
        return self._line_key(buf, pos) or b"" if pos < size else b""

    def _record(self, line: bytes, key: bytes | None, lineno: int = 0, *, shaped: bool = False) -> None:
        """Count one line in its template. With `shaped` (an error line), a
        line whose digit-free text is new is looked up by its shape before
        it is masked: error lines carry request and trace ids."""
        s = self.summary
        m = _TS_RE.match(line)
        body = line[m.end():] if m else line
        # Lines that differ only in their digits almost always share a
        # template: skip the masking for them.
        short = body[: 4 * MAX_EXAMPLE].translate(None, _DIGITS)
        sig = self._cache.get(short, _UNSEEN)
        if sig is _UNSEEN:
            shape = shapes(body)[0] if shaped and len(body) <= 4 * MAX_EXAMPLE else None
            if shape is not None and not _exact_shape(shape):
                sig = self._shapes.get(shape) or self._signature(body)
                if sig is not None:
                    if len(self._shapes) >= 4 * self._max:
                        self._shapes.clear()
                    self._shapes[shape] = sig
            else:
                sig = self._signature(body)
            if len(self._cache) >= 4 * self._max:
                self._cache.clear()  # bounded memory, whatever the log holds
            self._cache[short] = sig
        if sig is None:
            s.overflow += 1
            return
        if sig.level == "ignore":
            return
        s.lines += 1
        if RANK.get(sig.level, 1) >= RANK["error"]:
            s.error_lines += 1
        _count(sig, key, lineno, self._base)
        if self._assign is not None:
            self._assign.append(sig)

    def _signature(self, body: bytes) -> Signature | None:
        body = body[: 4 * MAX_EXAMPLE]
        if self._redactor is not None:
            body = self._redactor.redact_bytes(body)
        text = _ESCAPES_RE.sub("", body.decode("utf-8", "replace"))
        return _new_signature(text, self._by_template, self._max, self._rules, error_only=not self._all)

    def close(self) -> LogSummary:
        if self._parts and not self.summary.past_window:
            buf = b"".join(self._parts)
            self._scan(buf, len(buf))
        self._parts = []
        s = self.summary
        _finish(s, self._by_template, self._assign)
        s.first_seen = _to_datetime(self._first_key) if self._first_key else None
        s.last_seen = _to_datetime(self._final_key) if self._final_key else None
        return s


def _count(sig: Signature, key: bytes | None, lineno: int, base: bytes | None) -> None:
    sig.count += 1
    if key is None:
        return
    if not sig._first_key or key < sig._first_key:
        sig._first_key = key
        sig.first_line = lineno
    if key > sig._last_key:
        sig._last_key = key
    if base is not None and key < base:
        sig.baseline += 1
    minute = key[:16].decode("ascii")
    sig.minutes[minute] = sig.minutes.get(minute, 0) + 1


def _new_signature(text: str, table: dict[str, Signature], limit: int, rules: Rules, *,
                   error_only: bool) -> Signature | None:
    """The stage-1 signature of a line's text, from the table or added to it
    (None once the table is full)."""
    template = printable(template_of(text))[:MAX_TEMPLATE]
    sig = table.get(template)
    if sig is None:
        if len(table) >= limit:
            return None
        level = rules.level(text)
        if error_only and level not in ("ignore", *SEVERE) and RANK.get(level, 1) < RANK["error"]:
            level = "error"  # the error pattern chose this line; a rule may still say otherwise
        sig = Signature(template=template, message=_message(text), level=level,
                        example=printable(text.strip())[:MAX_EXAMPLE])
        table[template] = sig
    return sig


def _finish(summary: LogSummary, table: dict[str, Signature], assigned: list[Signature] | None) -> None:
    """Stage 2 (logmask.unify) over the stream's templates, then times from
    their byte keys, in order of first occurrence."""
    sigs = list(table.values())
    names = unify(sig.template for sig in sigs)
    merged = merge_signatures(sigs, names)
    summary.signatures = sorted(merged.values(), key=lambda g: (g._first_key, g.template))
    for sig in summary.signatures:
        sig.first = _to_datetime(sig._first_key) if sig._first_key else None
        sig.last = _to_datetime(sig._last_key) if sig._last_key else None
    if assigned is not None:
        summary.template_of_line = [names[sig.template] for sig in assigned]


def merge_signatures(sigs: list[Signature], names: dict[str, str] | None = None) -> dict[str, Signature]:
    """Signatures whose templates logmask.unify joins, combined (counts and
    per-minute counts added, earliest first, latest last, the most severe
    level); keyed by the joined template."""
    if names is None:
        names = unify(sig.template for sig in sigs)
    out: dict[str, Signature] = {}
    for sig in sorted(sigs, key=lambda g: (g._first_key or b"\xff", g.template)):
        name = names[sig.template]
        have = out.get(name)
        if have is None:
            out[name] = have = Signature(name, sig.message if name == sig.template else _message_of_template(name, sig),
                                         sig.level, example=sig.example)
            have._first_key, have.first_line = sig._first_key, sig.first_line
        elif RANK.get(sig.level, 1) > RANK.get(have.level, 1):
            have.level = sig.level
        have.count += sig.count
        have.baseline += sig.baseline
        if sig._first_key and (not have._first_key or sig._first_key < have._first_key):
            have._first_key, have.first_line, have.example = sig._first_key, sig.first_line, sig.example
        have._last_key = max(have._last_key, sig._last_key)
        for minute, n in sig.minutes.items():
            have.minutes[minute] = have.minutes.get(minute, 0) + n
    return out


def _message_of_template(template: str, sig: Signature) -> str:
    m = _MSG_RE.search(template)
    if not template:
        return sig.message
    return _short(readable(next(g for g in m.groups() if g is not None) if m else _strip_head(template)))


def _hit_finder(anchors: tuple[bytes, ...], engine: str) -> HitFinder:
    """A function chunk -> iterable of (anchor index, position), in order."""
    if engine in ("auto", "aho-corasick"):
        try:
            import ahocorasick_rs
        except ImportError:
            if engine != "auto":
                raise
        else:
            # Leftmost-first is the match kind that enables the SIMD prefilter.
            ac = ahocorasick_rs.BytesAhoCorasick(list(anchors), matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST)

            def hits(chunk: _Buf | memoryview) -> list[tuple[int, int]]:
                return [(i, start) for i, start, _ in ac.find_matches_as_indexes(chunk)]

            return hits

    def hits_by_find(chunk: _Buf | memoryview) -> list[tuple[int, int]]:
        # One C fast search per anchor, the first hit per line each.
        found = []
        find = (chunk.tobytes() if isinstance(chunk, memoryview) else chunk).find
        for i, anchor in enumerate(anchors):
            pos = find(anchor)
            while pos != -1:
                found.append((pos, i))
                nl = find(b"\n", pos)
                if nl == -1:
                    break
                pos = find(anchor, nl)
        found.sort()
        return [(i, pos) for pos, i in found]

    return hits_by_find


_HEAD_TOKEN_RE = re.compile(r"^(?:[\[(]?<\*>[\])]?:?|[\[(]?[A-Z]{3,8}[\])]?:?|-)$")


def _strip_head(template: str) -> str:
    """A template without its leading variables and level words (the
    time, pid, thread... a line starts with): the part a person quotes."""
    words = template.split(" ")
    i = 0
    while i < len(words) - 1 and _HEAD_TOKEN_RE.match(words[i]):
        i += 1
    return " ".join(words[i:])


def _short(text: str) -> str:
    text = printable(text.strip())
    return text if len(text) <= 80 else text[:79] + "\u2026"


def _message(text: str) -> str:
    m = _MSG_RE.search(text)
    if m is not None:
        return _short(readable(mask(next(g for g in m.groups() if g is not None))))
    return _short(readable(_strip_head(mask(text))))


class ScanOptions(TypedDict, total=False):
    """SignatureScanner's tuning, passed through by scan_file."""

    max_templates: int
    anchors: tuple[bytes, ...]
    pattern: re.Pattern[bytes]
    exact_anchors: int
    engine: str
    all_lines: bool
    baseline_end: datetime | None
    rules: Rules
    assign: bool


def scan_file(path: str | Path, window: Window | None = None, *, redactor: Redactor | None = None,
              chunk_size: int = 4 << 20, **options: Unpack[ScanOptions]) -> LogSummary:
    """A log file through the scanner. The file is read into one reused
    buffer (`readinto`), carrying only the unfinished last line over: no
    chunk is copied or joined, so the time goes to the search alone."""
    scanner = SignatureScanner(window, redactor=redactor, chunk_size=chunk_size, **options)
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    filled = 0
    with open(path, "rb", buffering=0) as f:
        while not scanner.summary.past_window:
            n = f.readinto(view[filled:])
            filled += n
            scanner.summary.bytes_read += n
            if filled == 0:
                break
            cut = filled if n == 0 else buf.rfind(b"\n", 0, filled) + 1
            if cut == 0:
                if filled < len(buf):
                    continue
                cut = filled  # a line longer than the buffer: scanned in pieces
            scanner._scan(buf, cut)
            tail = filled - cut
            buf[:tail] = bytes(view[cut:filled])  # a copy: the two ranges may overlap
            filled = tail
            if n == 0:
                break
    return scanner.close()


# -- lines from any source ---------------------------------------------------------


def _datetime_key(when: datetime) -> bytes:
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S").encode() + f"{when.microsecond:06d}000".encode()


def group_lines(lines: Iterable[tuple[datetime | None, str]], *, window: Window | None = None,
                baseline_end: datetime | None = None, rules: Rules = NO_RULES, redactor: Redactor | None = None,
                max_templates: int = 2000, assign: bool = False, stream: str = "", source: str = "",
                evidence: str = "") -> LogSummary:
    """Every line's template, counted: the plug-in point for any log source
    (see the module's docstring). `lines` are (time or None, text) in time
    order; line numbers count every line given, from 1."""
    summary = LogSummary(all_lines=True, stream=stream, source=source, evidence=evidence)
    table: dict[str, Signature] = {}
    cache: dict[str, Signature | None] = {}
    lo = _window_key(window.start, end=False) if window else None
    hi = _window_key(window.end, end=True) if window else None
    base = _window_key(baseline_end, end=False) if baseline_end is not None else None
    assigned: list[Signature] | None = [] if assign else None
    strip = str.maketrans("", "", "0123456789")
    key: bytes | None = None
    first_key = last_key = b""
    lineno = 0
    for when, raw in lines:
        lineno += 1
        if when is not None:
            key = _datetime_key(when)
        if key is not None and ((lo is not None and key < lo) or (hi is not None and key > hi)):
            continue
        text = raw[: 4 * MAX_EXAMPLE]
        short = text.translate(strip)
        sig = cache.get(short, _UNSEEN)
        if sig is _UNSEEN:
            clean = redactor.redact(text) if redactor is not None else text
            sig = _new_signature(_ESCAPES_RE.sub("", clean), table, max_templates, rules, error_only=False)
            if len(cache) >= 4 * max_templates:
                cache.clear()
            cache[short] = sig
        if sig is None:
            summary.overflow += 1
            continue
        if sig.level == "ignore":
            continue
        summary.lines += 1
        if RANK.get(sig.level, 1) >= RANK["error"]:
            summary.error_lines += 1
        _count(sig, key, lineno, base)
        if key is not None:
            first_key = first_key or key
            last_key = max(last_key, key)
        if assigned is not None:
            assigned.append(sig)
    _finish(summary, table, assigned)
    summary.first_seen = _to_datetime(first_key) if first_key else None
    summary.last_seen = _to_datetime(last_key) if last_key else None
    return summary


# -- candidates over every stream ------------------------------------------------------

RATE_FACTOR = 4.0  # a rate this many times the baseline's...
RATE_MIN_LINES = 6  # ...over RATE_SPAN minutes, with at least this many lines, is a sharp rise
RATE_SPAN = 2
MAX_ERRORS = 12
MAX_NEW = 10
MAX_RATES = 8


@dataclass
class _Seen:
    """One template over every stream that has it."""

    sig: Signature  # the combined signature
    streams: list[tuple[LogSummary, Signature]] = field(default_factory=list)


def _combine(summaries: list[LogSummary]) -> list[_Seen]:
    names = unify(sig.template for s in summaries for sig in s.signatures)
    by_name: dict[str, _Seen] = {}
    for summary in summaries:
        for sig in summary.signatures:
            name = names[sig.template]
            seen = by_name.get(name)
            if seen is None:
                by_name[name] = seen = _Seen(Signature(name, sig.message, sig.level, example=sig.example))
            seen.streams.append((summary, sig))
    out = []
    for seen in by_name.values():
        combined = merge_signatures([sig for _, sig in seen.streams], {sig.template: seen.sig.template
                                                                          for _, sig in seen.streams})
        seen.sig = next(iter(combined.values()))
        seen.sig.first = min((sig.first for _, sig in seen.streams if sig.first is not None), default=None)
        seen.sig.last = max((sig.last for _, sig in seen.streams if sig.last is not None), default=None)
        seen.streams.sort(key=lambda item: (item[1].first is None, item[1].first or datetime.min.replace(tzinfo=UTC)))
        out.append(seen)
    return out


def _minute(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _rate_rise(sig: Signature, baseline_start: datetime,
               baseline_end: datetime) -> tuple[datetime, float, float] | None:
    """(minute, baseline lines/min, lines/min then) of the first sharp rise
    after the baseline, or None."""
    minutes = max(1.0, (baseline_end - baseline_start).total_seconds() / 60)
    base_rate = sig.baseline / minutes
    after = sorted((m, n) for m, n in sig.minutes.items() if m >= _minute(baseline_end))
    counts = dict(after)
    for m, _ in after:
        t = datetime.fromisoformat(m + ":00+00:00")
        span = sum(counts.get(_minute(t + timedelta(minutes=k)), 0) for k in range(RATE_SPAN))
        if span >= RATE_MIN_LINES and span / RATE_SPAN >= RATE_FACTOR * max(base_rate, 0.5):
            return t, base_rate, span / RATE_SPAN
    return None


def _where(seen: _Seen) -> str:
    streams = seen.streams
    if len(streams) == 1:
        return f"on {streams[0][0].stream}" if streams[0][0].stream else ""
    kinds = {s.stream.split("/", 1)[0] for s, _ in streams if "/" in s.stream}
    noun = (next(iter(kinds)) + "s") if len(kinds) == 1 else "streams"
    return f"on {len(streams)} {noun}, first on {streams[0][0].stream}"


def _refs(seen: _Seen) -> list[str]:
    out = []
    for summary, sig in seen.streams:
        if summary.evidence:
            out.append(f"{summary.evidence}#L{sig.first_line}" if sig.first_line else summary.evidence)
    return out


def _sources(seen: _Seen) -> list[str]:
    return list(dict.fromkeys(s.source for s, _ in seen.streams if s.source))


def log_candidates(summaries: list[LogSummary], *, baseline_end: datetime | None = None,
                   baseline_start: datetime | None = None) -> list[Candidate]:
    """Timeline proposals from every stream's templates at once (see the
    module's docstring): one per template, whatever the number of streams."""
    out: list[Candidate] = []
    errors: list[Candidate] = []
    news: list[Candidate] = []
    rates: list[Candidate] = []
    for seen in _combine([s for s in summaries if s.signatures]):
        sig = seen.sig
        if sig.first is None or sig.level == "ignore":
            continue
        covered = baseline_end is not None and any(
            s.all_lines and s.first_seen is not None and s.first_seen < baseline_end for s, _ in seen.streams)
        severe = RANK.get(sig.level, 1) >= RANK["error"]
        new = covered and sig.baseline == 0 and baseline_end is not None and sig.first >= baseline_end
        rise = None
        if covered and sig.baseline > 0 and RANK.get(sig.level, 1) >= RANK["warn"] and baseline_end is not None:
            rise = _rate_rise(sig, baseline_start or (baseline_end - timedelta(minutes=20)), baseline_end)
        # An error template there from the log's first minute is chronic:
        # only a sharp rise of it is news. Any other gets its first line.
        chronic = covered and sig.baseline >= 3 and any(
            s.first_seen is not None and g.first is not None and (g.first - s.first_seen).total_seconds() <= 60
            for s, g in seen.streams)
        if severe and not chronic:
            errors.append(_error_candidate(seen, new=new))
        elif new:
            news.append(_new_candidate(seen))
        elif rise is not None:
            rates.append(_rate_candidate(seen, *rise))
    errors = sorted(errors, key=lambda c: (-c.confidence, c.time))[:MAX_ERRORS]
    out = errors + sorted(news, key=lambda c: c.time)[:MAX_NEW] + sorted(rates, key=lambda c: c.time)[:MAX_RATES]
    out.sort(key=lambda c: c.time)
    return out


def _count_text(sig: Signature) -> str:
    if sig.count == 1:
        return "1 line"
    until = f" until {sig.last:%H:%M:%S}" if sig.last is not None else ""
    return f"\u00d7{sig.count:,}{until}"


def _candidate(seen: _Seen, event: str, *, kind: str, signal: str, confidence: float,
               when: datetime | None = None) -> Candidate:
    refs = _refs(seen)
    sources = _sources(seen)
    first = seen.streams[0][0]
    return Candidate(time=when or seen.sig.first or datetime.min.replace(tzinfo=UTC), event=event,
                     source=first.source or first.stream, kind=kind, evidence=refs[0] if refs else "",
                     signal=signal, confidence=confidence, key=("log", seen.sig.template), tolerance=0.0,
                     refs=refs, sources=sources, detail=seen.sig.message, precision=2)


def _error_candidate(seen: _Seen, *, new: bool) -> Candidate:
    sig = seen.sig
    word = "fatal" if sig.level in SEVERE else "error"
    where = _where(seen)
    text = f"first '{sig.message}' {word}{' (new)' if new else ''} \u2014 {_count_text(sig)}"
    if where:
        text += f" {where}"
    confidence = min(0.9, 0.55 + 0.05 * len(seen.streams) + (0.1 if new else 0) + min(0.15, sig.count / 2000))
    return _candidate(seen, text, kind="symptom", signal="log", confidence=round(confidence, 2))


def _new_candidate(seen: _Seen) -> Candidate:
    sig = seen.sig
    where = _where(seen)
    text = f"new: '{sig.message}' ({sig.level}) \u2014 {_count_text(sig)}" + (f" {where}" if where else "")
    confidence = 0.5 if RANK.get(sig.level, 1) >= RANK["warn"] else 0.4
    return _candidate(seen, text, kind="other", signal="log-new", confidence=confidence)


def _rate_candidate(seen: _Seen, when: datetime, before: float, after: float) -> Candidate:
    sig = seen.sig
    factor = after / max(before, 0.01)
    where = _where(seen)
    text = (f"{sig.level.upper()} '{sig.message}' rate \u00d7{factor:.0f} from {when:%H:%M} "
            f"({before:.1f}/min \u2192 {after:.1f}/min)" + (f" {where}" if where else ""))
    return _candidate(seen, text, kind="symptom", signal="log-rate", confidence=0.55, when=when)


def candidates(summary: LogSummary, source: str, *, limit: int = MAX_ERRORS, evidence: str = "") -> list[Candidate]:
    """One stream's proposals with no baseline: the first line of each error
    template (kept for callers holding a single summary)."""
    summary.source = summary.source or source
    summary.evidence = summary.evidence or evidence
    return log_candidates([summary])[:limit]
