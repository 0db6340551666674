"""The Loki source against a loopback Loki that answers query_range the way
Loki does (support/loki.py), driven through the same client code a user
runs: pagination by time with entries sharing a nanosecond at the page
boundary, the tenant header, credentials only where the user said, Loki's
own errors, a hung server, and the gap a replaced pod leaves when Loki
holds its logs."""

from __future__ import annotations

import time
from functools import partial

from pmtui.model import IncidentTimes, LokiSettings, PostMortem
from pmtui.sample import at
from pmtui.sources import collect as col
from pmtui.sources.base import Context, Window
from pmtui.sources.collect import run_one
from pmtui.sources.httpget import HttpOptions
from pmtui.sources.loki import _ns
from pmtui.sources.loki import collect as collect_loki

WINDOW = Window(at("10:00:00"), at("11:00:00"))
FAST = HttpOptions(timeout=0.5, retries=1, backoff=0.05)
QUERY = '{namespace="shop", app="api"}'


def collect(settings: LokiSettings, ctx: Context, **options):
    """The source as the orchestrator runs it (its log streams become candidates there)."""
    return run_one("loki", partial(collect_loki, settings, **options), ctx)


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def _busy_loki(fake_loki, **options):
    """Two pods' logs: 12,003 lines in all, every three sharing a nanosecond
    (so page boundaries fall inside a nanosecond), errors from 10:15."""
    server = fake_loki(**options)
    base = _ns(at("10:05:00"))
    for pod, offset in (("api-6f7c9d8b4-old01", 0), ("api-6f7c9d8b4-old02", 1)):
        entries = []
        for i in range(offset, 12_003, 2):
            ts = base + (i // 3) * 1_000_000 * 150  # 0.15 s apart
            level = "error" if i >= 6000 else "info"
            entries.append((ts, f'level={level} msg="connection pool exhausted" n={i}' if level == "error"
                            else f'level=info msg="GET /api/orders 200" n={i}'))
        server.add({"namespace": "shop", "app": "api", "pod": pod, "container": "api"}, entries)
    server.add({"namespace": "other", "app": "api", "pod": "x", "container": "api"}, [(base, "level=error msg=no")])
    return server


def test_every_line_once_across_pages_and_errors_per_pod(tmp_path, fake_loki):
    server = _busy_loki(fake_loki)
    result = collect(LokiSettings(url=server.url, query=QUERY), _ctx(tmp_path))
    assert result.gaps == []
    pages = server.calls("query_range$")
    assert len(pages) == 3 and all(r.arg("direction") == "forward" and r.arg("limit") == "5000" for r in pages)
    assert int(pages[0].arg("start")) == _ns(WINDOW.start) and int(pages[0].arg("end")) == _ns(WINDOW.end) + 1
    assert int(pages[1].arg("start")) > int(pages[0].arg("start"))
    kept = []
    for ev in result.evidence:
        kept += (tmp_path / ev.path).read_text().splitlines()
    numbers = sorted(int(line.rsplit("n=", 1)[1]) for line in kept)
    assert numbers == list(range(12_003))  # none lost, none twice
    assert {ev.path for ev in result.evidence} == {"inc.evidence/loki/api-6f7c9d8b4-old01/api.log",
                                                   "inc.evidence/loki/api-6f7c9d8b4-old02/api.log"}
    assert kept[0].startswith("2025-02-09T10:05:00.000000000Z level=info")
    # One row for the message on both pods, with both as sources and evidence.
    (c,) = result.candidates
    assert (c.time, c.event) == (at("10:10:00"), "first 'connection pool exhausted' error \u2014 \u00d76,003 "
                                                 "until 10:15:00 on 2 pods, first on pod/api-6f7c9d8b4-old01 api")
    assert c.sources == ["loki: pod/api-6f7c9d8b4-old01 api", "loki: pod/api-6f7c9d8b4-old02 api"]
    assert sorted(c.refs) == ["loki/api-6f7c9d8b4-old01/api.log#L3001", "loki/api-6f7c9d8b4-old02/api.log#L3001"]


def test_the_tenant_header_and_what_a_missing_one_says(tmp_path, fake_loki):
    server = _busy_loki(fake_loki, tenants=True)
    missing = collect(LokiSettings(url=server.url, query=QUERY), _ctx(tmp_path))
    assert missing.gaps[0].description == ("Loki: Loki refused the query (401: no org id): set [sources.loki] tenant "
                                           "(the X-Scope-OrgID header)")
    given = collect(LokiSettings(url=server.url, query=QUERY, tenant="team-shop"), _ctx(tmp_path))
    assert given.gaps == [] and server.calls("query_range$")[-1].headers["x-scope-orgid"] == "team-shop"


def test_credentials_go_only_to_a_url_the_user_chose(tmp_path, fake_loki, monkeypatch):
    server = _busy_loki(fake_loki, token="loki-gateway-token-0123456789")
    monkeypatch.setenv("LOKI_TOKEN", "loki-gateway-token-0123456789")
    settings = LokiSettings(url=server.url, query=QUERY, auth="bearer")
    from_file = collect(settings, _ctx(tmp_path))
    assert from_file.gaps[0].description == (
        f"Loki not queried: the file's [sources.loki] url names {server.url}, which you have not trusted with the "
        f"value of LOKI_TOKEN. If it is yours, run `pmtui trust {server.url} --credential env:LOKI_TOKEN` (or pass "
        "the URL on the command line); a post-mortem file alone never decides where a credential goes.")
    assert server.requests == []  # nothing left this machine
    from_user = collect(settings, _ctx(tmp_path), from_user=True)
    assert from_user.gaps == []
    assert server.requests[0].headers["authorization"] == "Bearer loki-gateway-token-0123456789"
    from pmtui.trust import Trust

    Trust.load().remember(server.url, "env:LOKI_TOKEN")  # `pmtui trust URL --credential env:LOKI_TOKEN`
    trusted = collect(settings, _ctx(tmp_path))
    assert trusted.gaps == []
    monkeypatch.setenv("LOKI_TOKEN", "wrong-token-wrong-token")
    refused = collect(settings, _ctx(tmp_path), from_user=True)
    assert refused.gaps[0].description.startswith("Loki: Loki refused the query (401: 401 Unauthorized)")
    assert "wrong-token" not in refused.gaps[0].description


def test_lokis_own_errors_become_gaps(tmp_path, fake_loki):
    server = _busy_loki(fake_loki)
    bad = collect(LokiSettings(url=server.url, query='{app="api"'), _ctx(tmp_path))
    assert bad.gaps[0].description.startswith(
        "Loki: Loki rejected the query '{app=\"api\"' (400: parse error at line 1")
    metric = collect(LokiSettings(url=server.url, query='rate({app="api"}[5m])'), _ctx(tmp_path))
    assert "not log lines: give a log query" in metric.gaps[0].description
    empty = collect(LokiSettings(url=server.url, query='{app="nothing"}'), _ctx(tmp_path))
    assert empty.gaps[0].description == 'Loki: no log lines match {app="nothing"} in the window'
    unset = collect(LokiSettings(url=server.url), _ctx(tmp_path))
    assert unset.gaps[0].description.startswith("Loki not queried: no LogQL query")


def test_a_hung_loki_is_a_gap_within_the_bound(tmp_path, fake_loki):
    server = fake_loki()
    server.hang()
    began = time.monotonic()
    result = collect(LokiSettings(url=server.url, query=QUERY), _ctx(tmp_path), http=FAST)
    assert 1.0 <= time.monotonic() - began < 6.0
    assert "no answer from" in result.gaps[0].description and "(2 tries)" in result.gaps[0].description


def test_pods_the_cluster_replaced_are_read_from_loki(tmp_path, fake_loki, fake_cluster, kube_incident):
    cluster = fake_cluster()
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    server = fake_loki()
    server.add({"namespace": "shop", "app": "api", "pod": "api-7d9f8b6c5-gone1", "container": "api"},
               [(_ns(at("10:19:00")), 'level=error msg="out of memory" heap=2048MiB'),
                (_ns(at("10:19:30")), 'level=error msg="out of memory" heap=2050MiB')])
    pm = PostMortem(times=IncidentTimes(started=at("10:05:00"), resolved=at("10:30:00")))
    k = pm.sources.kubernetes
    k.kubeconfig, k.namespace, k.deployment = str(kubeconfig), "shop", "api"
    pm.sources.loki.url = server.url
    result = col.collect(pm, tmp_path / "inc.toml")
    assert result.sources == ["kubernetes", "loki"] and result.failed == []
    (query,) = {r.arg("query") for r in server.calls("query_range$")}
    assert query == '{namespace="shop", pod=~"api-.*"}'
    gone = [g.description for g in result.gaps if "gone1" in g.description]
    assert gone == [f"pod api-7d9f8b6c5-gone1 appears in the events but no longer exists: its logs are gone from "
                    f"the cluster; they were read from Loki ({query}) instead"]
    from_loki = [c for c in result.candidates if c.source == "loki: pod/api-7d9f8b6c5-gone1 api"]
    assert [c.event for c in from_loki] == [
        "first 'out of memory' error \u2014 \u00d72 until 10:19:30 on pod/api-7d9f8b6c5-gone1 api"]
