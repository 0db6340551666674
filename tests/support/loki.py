"""A loopback Loki for tests: GET /loki/api/v1/query_range for log
queries, answered the way Loki does.

Shapes, from Loki's HTTP API reference
(https://grafana.com/docs/loki/latest/reference/loki-http-api/, in
grafana/loki docs/sources/reference/loki-http-api.md):
- parameters `query`, `limit` (100 by default), `start` (inclusive) and
  `end` (exclusive) as nanosecond Unix epochs, `direction` forward or
  backward (the default);
- {"status": "success", "data": {"resultType": "streams", "result":
  [{"stream": {labels}, "values": [["<ns>", "<line>"], ...]}], "stats": {...}}}
  with each stream's values oldest first when forward; `limit` counts the
  entries of all streams together, taken from the oldest when forward;
- a metric query (rate(...)) answers resultType "matrix";
- errors are plain text: 400 "parse error at line 1, col N: ..." for a
  query it cannot read, 400 "max entries limit per query exceeded, limit
  > max_entries_limit (N > 5000)", and 401 "no org id" when multi-tenancy
  is on and the X-Scope-OrgID header is missing.

The query language understood: a stream selector with =, !=, =~, !~
matchers and |=, !=, |~, !~ line filters; enough for pmtui's queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from support.loopback import Answer, Loopback, Request

MAX_ENTRIES = 5000
_MATCHER_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:\\.|[^"\\])*)"\s*(?:,|$)')
_FILTER_RE = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:\\.|[^"\\])*)"')


@dataclass
class Stream:
    labels: dict[str, str]
    entries: list[tuple[int, str]] = field(default_factory=list)  # (ns, line), any order
    tenant: str = ""  # "" = every tenant sees it


class QueryError(ValueError):
    pass


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse(query: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(matchers, line filters) of a log query; QueryError for anything else."""
    q = query.strip()
    if not q.startswith("{"):
        col = 1
        raise QueryError(f"parse error at line 1, col {col}: syntax error: unexpected IDENTIFIER")
    close = q.find("}")
    if close < 0:
        raise QueryError(f"parse error at line 1, col {len(q)}: syntax error: unexpected $end, expecting }} or ,")
    body, rest = q[1:close], q[close + 1:]
    matchers = []
    pos = 0
    while pos < len(body):
        m = _MATCHER_RE.match(body, pos)
        if m is None:
            raise QueryError(f"parse error at line 1, col {pos + 2}: syntax error: unexpected IDENTIFIER")
        matchers.append((m.group(1), m.group(2), _unescape(m.group(3))))
        pos = m.end()
    if not matchers:
        raise QueryError("parse error : queries require at least one regexp or equality matcher that does not "
                         "have an empty-compatible value. For instance, app=~\".*\" does not meet this "
                         "requirement, but app=~\".+\" will")
    filters = []
    pos = 0
    while pos < len(rest.strip()):
        rest = rest.strip()
        m = _FILTER_RE.match(rest, pos)
        if m is None:
            raise QueryError(f"parse error at line 1, col {close + 2 + pos}: syntax error: unexpected IDENTIFIER")
        filters.append((m.group(1), _unescape(m.group(2))))
        pos = m.end()
    return matchers, filters


def _matches(labels: dict[str, str], matchers: list[tuple[str, str, str]]) -> bool:
    for key, op, value in matchers:
        have = labels.get(key, "")
        if op == "=" and have != value:
            return False
        if op == "!=" and have == value:
            return False
        if op == "=~" and not re.fullmatch(value, have):
            return False
        if op == "!~" and re.fullmatch(value, have):
            return False
    return True


def _kept(line: str, filters: list[tuple[str, str]]) -> bool:
    for op, value in filters:
        if op == "|=" and value not in line:
            return False
        if op == "!=" and value in line:
            return False
        if op == "|~" and not re.search(value, line):
            return False
        if op == "!~" and re.search(value, line):
            return False
    return True


class FakeLoki(Loopback):
    def __init__(self, *, tenants: bool = False, token: str = "") -> None:
        super().__init__()
        self.streams: list[Stream] = []
        self.tenants = tenants  # multi-tenancy: X-Scope-OrgID required
        self.token = token  # a gateway in front that wants this bearer token ("" = none)

    def add(self, labels: dict[str, str], entries: list[tuple[int, str]], *, tenant: str = "") -> None:
        self.streams.append(Stream(dict(labels), list(entries), tenant))

    def answer(self, request: Request) -> Answer:
        if self.token and request.headers.get("authorization", "") != f"Bearer {self.token}":
            return Answer.text("401 Unauthorized\n", 401, [("WWW-Authenticate", 'Bearer realm="loki"')])
        tenant = request.headers.get("x-scope-orgid", "")
        if self.tenants and not tenant:
            return Answer.text("no org id\n", 401)
        if request.path != "/loki/api/v1/query_range":
            return Answer.text("404 page not found\n", 404)
        query = request.arg("query")
        if re.match(r"\s*(rate|count_over_time|sum|bytes_rate)\s*\(", query):
            return Answer.json({"status": "success", "data": {"resultType": "matrix", "result": [], "stats": {}}})
        try:
            matchers, filters = parse(query)
        except QueryError as exc:
            return Answer.text(str(exc), 400)
        try:
            limit = int(request.arg("limit", "100"))
            start = int(request.arg("start"))
            end = int(request.arg("end"))
        except ValueError:
            return Answer.text("invalid parameter: start, end and limit must be integers", 400)
        if limit > MAX_ENTRIES:
            return Answer.text(f"max entries limit per query exceeded, limit > max_entries_limit "
                               f"({limit} > {MAX_ENTRIES})", 400)
        forward = request.arg("direction", "backward") == "forward"
        picked: list[tuple[int, int, str]] = []  # (ns, stream index, line)
        for i, stream in enumerate(self.streams):
            if self.tenants and stream.tenant and stream.tenant != tenant:
                continue
            if not _matches(stream.labels, matchers):
                continue
            picked += [(ns, i, line) for ns, line in stream.entries if start <= ns < end and _kept(line, filters)]
        picked.sort(key=lambda e: (e[0], e[1]), reverse=not forward)
        picked = picked[:limit]
        by_stream: dict[int, list[list[str]]] = {}
        for ns, i, line in sorted(picked, key=lambda e: e[0], reverse=not forward):
            by_stream.setdefault(i, []).append([str(ns), line])
        result = [{"stream": self.streams[i].labels, "values": values} for i, values in by_stream.items()]
        stats = {"summary": {"bytesProcessedPerSecond": 1, "linesProcessedPerSecond": 1,
                             "totalBytesProcessed": sum(len(v[1]) for r in result for v in r["values"]),
                             "totalLinesProcessed": len(picked), "execTime": 0.001}}
        return Answer.json({"status": "success", "data": {"resultType": "streams", "result": result,
                                                          "stats": stats}})
