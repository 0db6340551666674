"""Log signatures: error lines grouped into templates, streamed over bytes.

Pod logs fetched with `timestamps=true` start each line with an RFC3339
time. A scanner takes the log in pieces of any size and keeps, per error
template (numbers, ids, hashes, IPs, UUIDs, durations masked), its count
and first and last occurrence inside the incident window. Memory is the
chunk being scanned plus a bounded table of templates, whatever the size
of the log.

Speed comes from never looking at a line that cannot matter: each chunk
is searched once for all literal anchors of the error pattern (Aho-Corasick
with a SIMD prefilter, from ahocorasick-rs; Python's own regex engine tries
an alternation at every byte and runs about 7x slower than grep). Only the
lines around a hit are time-checked, verified and templated, and a line
whose digit-stripped text was seen before reuses its template. Times are
compared as bytes: RFC3339 UTC times of fixed width sort as text. Lines
are assumed to arrive in time order, as the kubelet writes them; every
matched line is still checked against the window on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from pmtui.sources.base import Candidate, Window
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
# Masking works per token (a run of word characters and . : + -) holding a
# digit: the regex only stops at those, and each is classified on its own,
# so a line costs microseconds rather than an alternation tried at each byte.
_TOKEN_RE = re.compile("(?<![0-9A-Za-z_.:+\\-\u00b5])[0-9A-Za-z_.:+\\-\u00b5]*?\\d[0-9A-Za-z_.:+\\-\u00b5]*")
_DIGIT_RE = re.compile(r"\d")
_WHOLE = (
    ("uuid", re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")),
    ("time", re.compile(
        r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
        r"|\d\d:\d\d:\d\d(?:[.,]\d+)?")),
    ("ip", re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?")),
    ("dur", re.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|\u00b5s|ms|s|m|h|d))+")),
    ("hex", re.compile(r"(?:0x)?[0-9a-fA-F]{8,}")),
    ("n", re.compile(r"[+-]?\d+(?:[.,]\d+)*")),
)
_PART_SPLIT_RE = re.compile(r"([-_.:+])")


def _mask_part(part: str) -> str:
    for name, pattern in _WHOLE:
        if pattern.fullmatch(part):
            return f"<{name}>"
    # letters and digits mixed: an id when long enough (pod hash, request id),
    # kept when short (v1, http2, k8s)
    return "<id>" if len(part) >= 5 else part


def _mask_token(m: re.Match[str]) -> str:
    tok = m.group()
    for name, pattern in _WHOLE:
        if pattern.fullmatch(tok):
            return f"<{name}>"
    return "".join(
        p if (i % 2 or _DIGIT_RE.search(p) is None) else _mask_part(p)
        for i, p in enumerate(_PART_SPLIT_RE.split(tok))
    )


def mask(text: str) -> str:
    """The template of a line: variable parts replaced by <uuid>, <ip>, <n>..."""
    return _TOKEN_RE.sub(_mask_token, text)


_MSG_RE = re.compile(r'\b(?:msg|message)=(?:"((?:\\.|[^"\\])*)"|(\S+))|"(?:msg|message)": ?"((?:\\.|[^"\\])*)"')

MAX_TEMPLATE = 300  # characters kept of a template (a 100 KB line stays readable)
MAX_EXAMPLE = 500


@dataclass
class Signature:
    template: str  # masked, redacted, terminal-safe
    message: str  # the short quote for a timeline row
    level: str
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    example: str = ""  # the first line seen, redacted and terminal-safe
    _first_key: bytes = b""
    _last_key: bytes = b""


# What the template cache holds for a line it has not seen.
_UNSEEN = Signature("", "", "")


@dataclass
class LogSummary:
    bytes_read: int = 0
    error_lines: int = 0  # in the window
    signatures: list[Signature] = field(default_factory=list)
    overflow: int = 0  # error lines past the template limit, counted only
    first_seen: datetime | None = None  # earliest time read in the window
    last_seen: datetime | None = None
    past_window: bool = False  # the log went on past the window end


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
        self._parts: list[bytes] = []
        self._size = 0
        self._by_template: dict[str, Signature] = {}
        self._last_key = b""  # time of the last timestamped line seen, for continuation lines
        self.summary = LogSummary()
        self._first_key = b""
        self._final_key = b""

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

    def close(self) -> LogSummary:
        if self._parts and not self.summary.past_window:
            buf = b"".join(self._parts)
            self._scan(buf, len(buf))
        self._parts = []
        s = self.summary
        s.signatures = sorted(self._by_template.values(), key=lambda g: (g._first_key, g.template))
        for sig in s.signatures:
            sig.first = _to_datetime(sig._first_key) if sig._first_key else None
            sig.last = _to_datetime(sig._last_key) if sig._last_key else None
        s.first_seen = _to_datetime(self._first_key) if self._first_key else None
        s.last_seen = _to_datetime(self._final_key) if self._final_key else None
        return s

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
        chunk_last = self._last_key
        lo, hi = self._lo, self._hi
        find = buf.find
        line_end = -1
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
            self._record(line, key)
        if last is not None:
            self._leave(buf, size, last)

    def _enter(self, buf: _Buf, size: int, first: bytes | None, last: bytes | None) -> bool:
        """Before a chunk's lines are searched: False when the whole chunk
        lies outside the window (before it, or past its end: then the log is
        done). Notes the first in-window time the log reaches."""
        if self._hi is not None and first is not None and first > self._hi:
            self.summary.past_window = True
            return False
        if self._lo is not None and last is not None and last < self._lo:
            self._last_key = last
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

    def _record(self, line: bytes, key: bytes | None) -> None:
        s = self.summary
        s.error_lines += 1
        m = _TS_RE.match(line)
        body = line[m.end():] if m else line
        # Lines that differ only in their digits almost always share a
        # template: skip the masking regex for them.
        short = body[: 4 * MAX_EXAMPLE].translate(None, _DIGITS)
        sig = self._cache.get(short, _UNSEEN)
        if sig is _UNSEEN:
            sig = self._signature(body)
            if len(self._cache) >= 4 * self._max:
                self._cache.clear()  # bounded memory, whatever the log holds
            self._cache[short] = sig
        if sig is None:
            s.overflow += 1
            return
        sig.count += 1
        if key is not None:
            if not sig._first_key or key < sig._first_key:
                sig._first_key = key
            if key > sig._last_key:
                sig._last_key = key

    def _signature(self, body: bytes) -> Signature | None:
        body = body[: 4 * MAX_EXAMPLE]
        if self._redactor is not None:
            body = self._redactor.redact_bytes(body)
        text = _ESCAPES_RE.sub("", body.decode("utf-8", "replace"))
        template = printable(mask(text).strip())[:MAX_TEMPLATE]
        sig = self._by_template.get(template)
        if sig is None:
            if len(self._by_template) >= self._max:
                return None
            sig = Signature(template=template, message=_message(text), level=_level(body),
                            example=printable(text.strip())[:MAX_EXAMPLE])
            self._by_template[template] = sig
        return sig


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


def _message(text: str) -> str:
    m = _MSG_RE.search(text)
    msg = next(g for g in m.groups() if g is not None) if m else text.strip()
    msg = printable(mask(msg).strip())
    return msg if len(msg) <= 80 else msg[:79] + "\u2026"


def _level(body: bytes) -> str:
    m = _LEVEL_RE.search(body)
    if m is None:
        return "error"
    word = (m.group("a") or m.group("b") or m.group("c") or b"error").decode().lower()
    return word if word in ("error", "fatal", "panic", "critical", "crit", "alert", "emerg") else "error"


class ScanOptions(TypedDict, total=False):
    """SignatureScanner's tuning, passed through by scan_file."""

    max_templates: int
    anchors: tuple[bytes, ...]
    pattern: re.Pattern[bytes]
    exact_anchors: int
    engine: str


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


def candidates(summary: LogSummary, source: str, *, limit: int = 10, evidence: str = "") -> list[Candidate]:
    """Timeline proposals: the first occurrence of each error template, the
    most frequent first, then in time order."""
    timed = [(s.first, s) for s in summary.signatures if s.first is not None]
    chosen = sorted(timed, key=lambda fs: (-fs[1].count, fs[0]))[:limit]
    out = []
    for first, sig in sorted(chosen, key=lambda fs: fs[0]):
        kind = "fatal" if sig.level in ("fatal", "panic", "critical", "crit", "alert", "emerg") else "error"
        lines = "1 line" if sig.count == 1 else f"{sig.count} lines until {sig.last:%H:%M:%S}"
        out.append(Candidate(time=first, event=f"first '{sig.message}' {kind} \u2014 {lines}",
                             source=source, kind="symptom", evidence=evidence))
    return out
