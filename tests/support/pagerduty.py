"""A loopback PagerDuty REST API v2 for tests: the read endpoints pmtui's
PagerDuty source calls, answered the way api.pagerduty.com does.

Shapes, from PagerDuty's OpenAPI description (PagerDuty/api-schema,
reference/REST/openapiv3.json; developer.pagerduty.com/api-reference), whose
"Response Example"s are in tests/data/pagerduty/openapi_examples.json:
- GET /incidents/{id} -> {"incident": {...}};
- GET /incidents/{id}/log_entries -> {"log_entries": [...], "limit", "offset",
  "more", "total"} (offset pagination; limit 25 by default, 100 at most;
  total null unless total=true; include[] accepted);
- GET /incidents?since&until&service_ids[]&sort_by -> {"incidents": [...], ...};
- errors: {"error": {"message", "code", "errors"?}} — 404 "Not Found"
  code 2100, 400 "Invalid Input Provided" code 2001; a 401 for a wrong
  key comes back without a JSON body (as go-pagerduty #469 and #553
  observed), the key being sent as `Authorization: Token token=KEY`;
- 429 "Rate Limit Exceeded" with ratelimit-limit, ratelimit-remaining and
  ratelimit-reset (seconds to wait) headers
  (https://support.pagerduty.com/docs/rest-api-rate-limits).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from pathlib import Path

from support.loopback import Answer, Loopback, Request

KEY = "u+pmtuiLoopbackKey-9xQ"
DATA = Path(__file__).resolve().parents[1] / "data" / "pagerduty"
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-recordings" / "pagerduty"


def examples() -> dict:
    """The OpenAPI description's response examples (see the module docstring)."""
    return json.loads((DATA / "openapi_examples.json").read_text())


def rate_limited(reset: int = 1) -> Answer:
    return Answer.json({"error": {"message": "Rate Limit Exceeded", "code": 2020}}, 429,
                       [("ratelimit-limit", "960"), ("ratelimit-remaining", "0"), ("ratelimit-reset", str(reset))])


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class FakePagerDuty(Loopback):
    def __init__(self, *, key: str = KEY) -> None:
        super().__init__()
        self.key = key
        self.incidents: dict[str, dict] = {}
        self.log_entries: dict[str, list[dict]] = {}

    def rate_limit(self, path: str, reset: int, *, times: int = 1) -> None:
        self.fault(path, rate_limited(reset), times=times)

    def add(self, incident: dict, entries: list[dict]) -> None:
        self.incidents[incident["id"]] = copy.deepcopy(incident)
        self.log_entries[incident["id"]] = copy.deepcopy(entries)

    def load_demo(self) -> str:
        """The demo incident (examples/demo-recordings/pagerduty); its id."""
        path = next(p for p in DEMO.glob("*.json") if not p.name.endswith("_log_entries.json"))
        incident = json.loads(path.read_text())["incident"]
        entries = json.loads((DEMO / f"{incident['id']}_log_entries.json").read_text())["log_entries"]
        self.add(incident, entries)
        return incident["id"]

    def answer(self, request: Request) -> Answer:
        if request.headers.get("authorization", "") != f"Token token={self.key}":
            return Answer(401, b"", [("Content-Type", "text/html")])
        m = re.fullmatch(r"/incidents/([A-Za-z0-9]+)(/log_entries)?", request.path)
        if m:
            incident = self.incidents.get(m.group(1))
            if incident is None:
                return Answer.json({"error": {"message": "Not Found", "code": 2100}}, 404)
            if m.group(2):
                return self._paged(request, "log_entries", self.log_entries[m.group(1)], max_limit=100)
            return Answer.json({"incident": incident})
        if request.path == "/incidents":
            return self._list(request)
        return Answer.json({"error": {"message": "Not Found", "code": 2100}}, 404)

    def _paged(self, request: Request, key: str, items: list[dict], *, max_limit: int) -> Answer:
        try:
            limit = int(request.arg("limit", "25"))
            offset = int(request.arg("offset", "0"))
        except ValueError:
            return Answer.json({"error": {"message": "Invalid Input Provided", "code": 2001,
                                          "errors": ["Offset and limit must be integers."]}}, 400)
        limit = max(1, min(limit, max_limit))
        page = items[offset:offset + limit]
        total = len(items) if request.arg("total") == "true" else None
        return Answer.json({key: page, "limit": limit, "offset": offset, "more": offset + limit < len(items),
                            "total": total})

    def _list(self, request: Request) -> Answer:
        since, until = request.arg("since"), request.arg("until")
        try:
            lo = _when(since) if since else None
            hi = _when(until) if until else None
        except ValueError:
            return Answer.json({"error": {"message": "Invalid Input Provided", "code": 2001,
                                          "errors": ["Invalid 'since' or 'until' Parameter Values"]}}, 400)
        services = set(request.args("service_ids[]"))
        found = []
        for incident in self.incidents.values():
            created = _when(incident["created_at"])
            if (lo and created < lo) or (hi and created > hi):
                continue
            if services and incident.get("service", {}).get("id") not in services:
                continue
            found.append(incident)
        found.sort(key=lambda i: i["created_at"])
        return self._paged(request, "incidents", found, max_limit=100)
