"""Log lines of the common on-disk formats, given a UTC time each.

Every format is turned into the one shape the signature scanner reads
(pod logs' `RFC3339 line`): the line's own time, in any offset, becomes
a UTC RFC3339 prefix with nanoseconds; the original line follows
unchanged (the evidence shows both). A line with no time of its own (a
stack trace's continuation) is kept as it is and belongs to the line
before it.

- plain: a timestamp at the start: `2025-02-09T10:05:23.123+01:00`,
  `2025-02-09 10:05:23,123`, `[2025-02-09 10:05:23]`, `2025/02/09 10:05:23`,
  or syslog's `Feb  9 10:05:23` (the year taken from the window).
- combined: nginx/Apache combined or common access log (`[09/Feb/2025:10:05:23 +0000]`).
- journal: `journalctl -o json` (__REALTIME_TIMESTAMP in µs, MESSAGE,
  PRIORITY turned into a level so journald's own level decides).
- jsonl: one JSON object a line with a time field (time, ts, timestamp,
  @timestamp, ...): RFC3339 text or epoch seconds, ms, µs or ns.

Times with no offset are read as UTC (the caller says so in a gap).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

FORMATS = ("auto", "plain", "combined", "journal", "jsonl")
ALIASES = {"text": "plain", "nginx": "combined", "apache": "combined", "access": "combined", "common": "combined",
           "journalctl": "journal", "json": "jsonl", "ndjson": "jsonl"}
_MONTHS = {m: i for i, m in enumerate((b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep",
                                        b"Oct", b"Nov", b"Dec"), 1)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ISO_RE = re.compile(
    rb"^\[?(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?"
    rb"[ ]?(Z|z|[+-]\d\d:?\d\d|UTC|GMT)?\]?(?=[\s,;|\]]|$)")
_SYSLOG_RE = re.compile(rb"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)\b")
_CLF_RE = re.compile(rb'^\S+ \S+ .*?\[(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "')
_KUBELET_RE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z ")
TIME_KEYS = ("time", "ts", "timestamp", "@timestamp", "t", "datetime", "date", "asctime", "eventTime", "logtime")
_PRIORITY = {0: b"fatal", 1: b"fatal", 2: b"fatal", 3: b"error", 4: b"warning", 5: b"info", 6: b"info", 7: b"debug"}


class LineTime:
    """Parses the times of one file, remembering what it had to assume."""

    def __init__(self, year: int) -> None:
        self.year = year  # for syslog lines, which carry none
        self.naive = 0  # lines whose time had no offset (read as UTC)
        # Lines come many to a second: the second's value is computed once
        # (measured: a third of the reader's time went to datetime and strftime).
        self._seconds: dict[tuple[bytes | None, ...], int | None] = {}

    def ns(self, when: datetime) -> int:
        delta = when - _EPOCH
        return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000

    def iso(self, m: re.Match[bytes]) -> int | None:
        y, mo, d, h, mi, s, frac, off = m.groups()
        key = (y, mo, d, h, mi, s, off)
        if off is None:
            self.naive += 1
        base = self._seconds.get(key, -1)
        if base == -1:
            try:
                when = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=_zone(off, self, count=False))
                base = self.ns(when.astimezone(UTC))
            except ValueError:
                base = None
            if len(self._seconds) > 100_000:
                self._seconds.clear()
            self._seconds[key] = base
        if base is None:
            return None
        return base + (int(frac.ljust(9, b"0")) if frac else 0)

    def syslog(self, m: re.Match[bytes]) -> int | None:
        mon, d, h, mi, s = m.groups()
        self.naive += 1
        try:
            return self.ns(datetime(self.year, _MONTHS[mon], int(d), int(h), int(mi), int(s), tzinfo=UTC))
        except ValueError:
            return None

    def clf(self, m: re.Match[bytes]) -> int | None:
        d, mon, y, h, mi, s, off = m.groups()
        if mon not in _MONTHS:
            return None
        try:
            base = datetime(int(y), _MONTHS[mon], int(d), int(h), int(mi), int(s), tzinfo=_zone(off, self))
        except ValueError:
            return None
        return self.ns(base.astimezone(UTC))

    def epoch(self, value: float | int) -> int | None:
        """Seconds, milliseconds, microseconds or nanoseconds, by magnitude
        (whole numbers exactly; fractions to the microsecond)."""
        if value <= 0:
            return None
        for limit, scale in ((1e11, 10**9), (1e14, 10**6), (1e17, 10**3)):
            if value < limit:
                if isinstance(value, int):
                    return value * scale
                return round(value * scale / 1000) * 1000
        return int(value)

    def text(self, value: str) -> int | None:
        m = _ISO_RE.match(value.strip().encode())
        return self.iso(m) if m else None


def _zone(off: bytes | None, times: LineTime, *, count: bool = True) -> timezone:
    if off is None:
        if count:
            times.naive += 1
        return UTC
    if off in (b"Z", b"z", b"UTC", b"GMT"):
        return UTC
    sign = -1 if off[:1] == b"-" else 1
    digits = off[1:].replace(b":", b"")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


_STAMPS: dict[int, bytes] = {}


def rfc3339(ns: int) -> bytes:
    seconds, frac = divmod(ns, 10**9)
    stamp = _STAMPS.get(seconds)
    if stamp is None:
        if len(_STAMPS) > 100_000:
            _STAMPS.clear()
        stamp = _STAMPS[seconds] = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S").encode()
    return stamp + b".%09dZ" % frac


# A normaliser: one raw line (no newline) -> (time in ns or None, the line to keep).
Normaliser = Callable[[bytes], tuple[int | None, bytes]]


def plain(times: LineTime) -> Normaliser:
    def norm(line: bytes) -> tuple[int | None, bytes]:
        if _KUBELET_RE.match(line):  # already the scanner's shape
            m = _ISO_RE.match(line)
            return (times.iso(m) if m else None), line
        m = _ISO_RE.match(line)
        ns = times.iso(m) if m else None
        if ns is None:
            s = _SYSLOG_RE.match(line)
            ns = times.syslog(s) if s else None
        return ns, line if ns is None else rfc3339(ns) + b" " + line

    return norm


_STATUS_RE = re.compile(rb'\] "[^"]*" ([1-5])\d\d ')
# An access line's level and message, from its status class: the masker
# makes the request itself a variable, so the row reads "'HTTP 5xx' error".
_STATUS_LEAD = {b"5": b'level=error msg="HTTP 5xx" ', b"4": b'level=warn msg="HTTP 4xx" '}


def combined(times: LineTime) -> Normaliser:
    def norm(line: bytes) -> tuple[int | None, bytes]:
        m = _CLF_RE.match(line)
        ns = times.clf(m) if m else None
        if ns is None:
            return None, line
        status = _STATUS_RE.search(line)
        cls = status.group(1) if status else b""
        lead = _STATUS_LEAD.get(cls, b'level=info msg="HTTP ' + cls + b'xx" ' if cls else b"")
        return ns, rfc3339(ns) + b" " + lead + line

    return norm


def _json_object(line: bytes) -> dict | None:
    """The JSON object a line holds, or None (not JSON, or not an object)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def journal(times: LineTime) -> Normaliser:
    def norm(line: bytes) -> tuple[int | None, bytes]:
        entry = _json_object(line)
        if entry is None:
            return None, line
        try:
            ns = int(str(entry.get("__REALTIME_TIMESTAMP"))) * 1000
        except (TypeError, ValueError):
            return None, line
        message = entry.get("MESSAGE")
        if isinstance(message, list):  # journald's binary-safe form: a list of bytes
            text = bytes(b for b in message if isinstance(b, int) and 0 <= b < 256)
        else:
            text = str(message if message is not None else "").encode()
        try:
            level = _PRIORITY.get(int(entry.get("PRIORITY", 6)), b"info")
        except (TypeError, ValueError):
            level = b"info"
        who = str(entry.get("SYSLOG_IDENTIFIER") or entry.get("_COMM") or entry.get("_SYSTEMD_UNIT") or "").encode()
        pid = str(entry.get("_PID") or entry.get("SYSLOG_PID") or "").encode()
        head = who + (b"[" + pid + b"]" if pid else b"") + b": " if who else b""
        return ns, rfc3339(ns) + b" level=" + level + b" " + head + text.replace(b"\n", b"\\n")

    return norm


def jsonl(times: LineTime) -> Normaliser:
    def norm(line: bytes) -> tuple[int | None, bytes]:
        entry = _json_object(line)
        if entry is None:
            return None, line
        ns = None
        for key in TIME_KEYS:
            value = entry.get(key)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int | float):
                ns = times.epoch(value)
            elif isinstance(value, str):
                ns = times.text(value)
                if ns is None:
                    try:
                        ns = times.epoch(float(value))
                    except ValueError:
                        ns = None
            if ns is not None:
                break
        return ns, line if ns is None else rfc3339(ns) + b" " + line

    return norm


NORMALISERS: dict[str, Callable[[LineTime], Normaliser]] = {
    "plain": plain, "combined": combined, "journal": journal, "jsonl": jsonl}


def sniff(head: bytes) -> str:
    """The format of a file, from its first lines."""
    lines = [line for line in head.splitlines()[:50] if line.strip()]
    if not lines:
        return "plain"
    if all(line.lstrip().startswith(b"{") for line in lines[:10]):
        return "journal" if any(b'"__REALTIME_TIMESTAMP"' in line for line in lines[:10]) else "jsonl"
    if sum(1 for line in lines[:20] if _CLF_RE.match(line)) >= max(1, len(lines[:20]) // 2):
        return "combined"
    return "plain"


def split_spec(spec: str) -> tuple[str, str]:
    """`combined:logs/access.log` -> ("combined", "logs/access.log"); a
    path with no known format before its first colon -> ("auto", path)."""
    head, sep, rest = spec.partition(":")
    name = head.strip().lower()
    if sep and rest and (name in FORMATS or name in ALIASES):
        return ALIASES.get(name, name), rest.strip()
    return "auto", spec.strip()
