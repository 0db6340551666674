"""Issue 16's hostile servers and exfiltration cases, each a regression test
of a finding: servers that answer garbage, too much, too slowly, with a
redirect to a metadata address or with JSON that is not GitHub's; post-mortem
files that try to send the user's credentials elsewhere; passwords in URLs.
Every server is on loopback (support/hostile_servers.py) and records what
it received, so the tests assert that no credential reached it."""

from __future__ import annotations

import resource
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli.group import main
from pmtui.model import GithubExportSettings, KubernetesSettings, PostMortem, PrometheusSettings
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions
from pmtui.sources.prometheus import collect as collect_prometheus
from pmtui.trust import Trust

WINDOW = Window(datetime(2025, 2, 9, 9, 35, tzinfo=UTC), datetime(2025, 2, 9, 11, 10, tzinfo=UTC))
TOKEN = "ghp_Zq8xK2mP9vL4nR7tY3wB6cJ1hF5dG0sA2eQx"
AWS = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8xK2mP9v"
PASSWORD = "Hunter2-Zq8xK2mP9vL4"


def _ctx(tmp_path: Path, cancelled=lambda: False) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path, cancelled=cancelled)


def _pm_file(tmp_path: Path, **github) -> Path:
    pm = PostMortem(id="PM-2025-016", title="Hostile", github=GithubExportSettings(repo="acme/ops", **github))
    pm.times.started = WINDOW.start
    path = tmp_path / "inc.toml"
    store.save(store.new_document(pm, path))
    return path


def _trusted(url: str, name: str) -> None:
    trust = Trust.load()
    trust.allow_env(name)
    trust.remember(url, f"env:{name}")


# -- 1. credentials go only where the user said --------------------------------------------


def test_a_file_base_url_gets_no_token_even_on_dry_run(tmp_path, hostile_server, monkeypatch):
    server = hostile_server.start("not_github")
    path = _pm_file(tmp_path, base_url=server.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    for extra in (["--dry-run"], []):
        res = CliRunner().invoke(main, ["export", str(path), *extra, "--no-pace"], catch_exceptions=False)
        assert res.exit_code == 2, res.output
        assert "not trusted with the GitHub token" in res.stderr and "pmtui trust" in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
    assert server.seen == []  # not one request, so no token
    assert TOKEN not in res.output


def test_the_token_never_goes_over_plain_http_but_to_loopback(tmp_path, only_loopback, monkeypatch):
    path = _pm_file(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    res = CliRunner().invoke(main, ["export", str(path), "--base-url", "http://ghe.example.invalid/api/v3",
                                    "--dry-run"], catch_exceptions=False)
    assert res.exit_code == 2 and "plain http" in res.stderr
    assert only_loopback == []  # refused before any connection was tried


def test_a_file_cannot_name_any_variable_as_a_token(tmp_path, hostile_server, monkeypatch):
    """[sources.prometheus] token_env = "AWS_SECRET_ACCESS_KEY": refused, and
    the server (which the file chose) receives no Authorization at all."""
    server = hostile_server.start("bad_samples")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS)
    settings = PrometheusSettings(url=server.url, auth="bearer", token_env="AWS_SECRET_ACCESS_KEY")
    result = collect_prometheus(settings, _ctx(tmp_path))
    assert [g.description for g in result.gaps] == [
        "Prometheus not queried: [sources.prometheus] token_env names the environment variable "
        "'AWS_SECRET_ACCESS_KEY', which you have not allowed as a credential. If it holds the token for this "
        "server, run `pmtui trust --env AWS_SECRET_ACCESS_KEY`; a post-mortem file may only name variables you "
        "allowed."]
    assert server.seen == [] and server.credentials_seen() == []


def test_an_allowed_variable_still_needs_the_endpoint_trusted(tmp_path, hostile_server, monkeypatch):
    server = hostile_server.start("bad_samples")
    monkeypatch.setenv("PMTUI_PROM_TOKEN", "prom-Zq8xK2mP9vL4nR7t")
    Trust.load().allow_env("PMTUI_PROM_TOKEN")
    settings = PrometheusSettings(url=server.url, auth="bearer", token_env="PMTUI_PROM_TOKEN")
    result = collect_prometheus(settings, _ctx(tmp_path))
    assert "which you have not trusted with the value of PMTUI_PROM_TOKEN" in result.gaps[0].description
    assert server.seen == []
    # Named by the user (the command line): the token goes, to loopback over http.
    result = collect_prometheus(settings, _ctx(tmp_path), named_by="user")
    assert server.credentials_seen() and all(v == "Bearer prom-Zq8xK2mP9vL4nR7t" for v in server.credentials_seen())


def test_pmtui_trust_writes_a_private_file_the_export_then_honours(tmp_path, fake_github, monkeypatch):
    gh = fake_github()
    path = _pm_file(tmp_path, base_url=gh.base_url)
    monkeypatch.setenv("GITHUB_TOKEN", gh.token)
    res = CliRunner().invoke(main, ["trust", gh.base_url, "--credential", "github"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    trust_file = Path(res.stdout.split("(")[-1].rstrip(")\n"))
    assert trust_file.stat().st_mode & 0o777 == 0o600
    res = CliRunner().invoke(main, ["export", str(path), "--dry-run", "--no-pace"], catch_exceptions=False)
    assert res.exit_code == 0, res.stderr


# -- 2. passwords in URLs never reach a message -------------------------------------------


def test_a_url_password_is_redacted_in_gaps_and_stdout(tmp_path, hostile_server):
    server = hostile_server.start("garbage")
    path = _pm_file(tmp_path)
    url = server.url.replace("http://", f"http://admin:{PASSWORD}@")
    res = CliRunner().invoke(main, ["collect", str(path), "--prometheus", url], catch_exceptions=False)
    assert res.exit_code == 1, res.output  # its only source failed
    assert "did not answer JSON" in res.stdout
    assert PASSWORD not in res.output and PASSWORD not in path.read_text()
    assert "«redacted:url-password»" in path.read_text()


# -- 9-11. hostile servers cannot hang, flood or crash it --------------------------------


def test_a_huge_answer_is_capped_with_a_gap_and_bounded_memory(tmp_path, hostile_server):
    server = hostile_server.start("huge", size=300 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.monotonic()
    result = collect_prometheus(PrometheusSettings(url=server.url, queries={"up": "up"}), _ctx(tmp_path),
                                http=HttpOptions(max_bytes=8 << 20, retries=0))
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert time.monotonic() - began < 20
    texts = [g.description for g in result.gaps]
    assert any("is larger than 8 MB: not read" in t for t in texts), texts
    assert grew_mb < 120, grew_mb  # 8 MB read, not 300 MB
    assert result.evidence == [] and not (tmp_path / "inc.evidence" / "prometheus" / "up.json").exists()


def test_a_drip_feeding_server_is_abandoned_at_the_deadline(tmp_path, hostile_server):
    server = hostile_server.start("drip", interval=2.0, max_seconds=30)
    began = time.monotonic()
    result = collect_prometheus(PrometheusSettings(url=server.url, queries={"up": "up"}), _ctx(tmp_path),
                                http=HttpOptions(deadline=3.0, timeout=10))
    assert time.monotonic() - began < 5
    assert any("did not answer in full within 3 s" in g.description for g in result.gaps)


def test_a_cancel_returns_within_a_second_even_mid_drip(tmp_path, hostile_server):
    server = hostile_server.start("drip", interval=2.0, max_seconds=30)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    began = time.monotonic()
    result = collect_prometheus(PrometheusSettings(url=server.url), _ctx(tmp_path, stop.is_set),
                                http=HttpOptions(deadline=60, timeout=30))
    assert time.monotonic() - began < 1.5
    assert [g.description for g in result.gaps] == ["collection cancelled before it finished"]


def test_the_cli_gives_up_on_a_drip_within_its_deadline(tmp_path, hostile_server):
    server = hostile_server.start("drip", interval=2.0, max_seconds=30)
    path = _pm_file(tmp_path)
    began = time.monotonic()
    res = CliRunner().invoke(main, ["collect", str(path), "--prometheus", server.url, "--request-deadline", "2"],
                             catch_exceptions=False)
    assert time.monotonic() - began < 8
    assert res.exit_code == 1 and "within 2 s (the request's deadline" in res.stdout  # its only source failed


def test_a_redirect_to_a_metadata_address_is_reported_not_followed(tmp_path, hostile_server, only_loopback,
                                                                   monkeypatch):
    server = hostile_server.start("redirect")
    _trusted(server.url, "PMTUI_PROM_TOKEN")
    monkeypatch.setenv("PMTUI_PROM_TOKEN", "prom-Zq8xK2mP9vL4nR7t")
    settings = PrometheusSettings(url=server.url, auth="bearer", token_env="PMTUI_PROM_TOKEN", queries={"up": "up"})
    result = collect_prometheus(settings, _ctx(tmp_path))
    text = result.gaps[0].description
    assert "answered HTTP 302, a redirect to http://169.254.169.254/latest/meta-data" in text
    assert "does not follow redirects" in text
    assert only_loopback == []  # nothing tried to connect there


def test_bad_samples_are_skipped_and_counted_not_fatal(tmp_path, hostile_server):
    server = hostile_server.start("bad_samples")
    result = collect_prometheus(PrometheusSettings(url=server.url, queries={"up": "up"}), _ctx(tmp_path))
    texts = [g.description for g in result.gaps]
    assert any("sample(s) not in Prometheus's" in t for t in texts), texts
    assert not any("source failed" in t or "failed" in t.split(":")[0] for t in texts)
    assert result.evidence  # the answer was kept as evidence


def test_a_non_utf8_error_body_is_a_gap_with_its_reason(tmp_path, hostile_server):
    server = hostile_server.start("error_bytes")
    result = collect_prometheus(PrometheusSettings(url=server.url, queries={"up": "up"}), _ctx(tmp_path))
    assert any("HTTP 500 from" in g.description and "internal" in g.description for g in result.gaps)


def test_a_non_utf8_kubernetes_error_is_a_gap_not_a_failed_source(tmp_path, hostile_server):
    from pmtui.sources.kubernetes import collect as collect_kubernetes

    server = hostile_server.start("error_bytes")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters: [{{name: k, cluster: {{server: '{server.url}'}}}}]\n"
        "contexts: [{name: c, context: {cluster: k, user: u, namespace: shop}}]\n"
        "users: [{name: u, user: {token: kube-Zq8xK2mP9vL4nR7t}}]\n")
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), deployment="api"), _ctx(tmp_path))
    texts = [g.description for g in result.gaps]
    assert texts and not any("source failed" in t for t in texts), texts
    assert any("HTTP 500" in t for t in texts), texts  # the body decoded for the message, never a crash


def test_an_answer_that_is_not_githubs_is_one_line_not_a_traceback(tmp_path, hostile_server, monkeypatch):
    server = hostile_server.start("not_github")
    path = _pm_file(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    res = CliRunner().invoke(main, ["export", str(path), "--base-url", server.url, "--dry-run", "--no-pace"],
                             catch_exceptions=False)
    assert res.exit_code in (1, 2), res.output
    assert "Traceback" not in res.output
    assert "did not answer like GitHub's API" in res.stderr or "GitHub" in res.stderr


@pytest.mark.parametrize("kind", ["garbage", "redirect"])
def test_an_alertmanager_that_misbehaves_says_what_it_did(tmp_path, hostile_server, kind):
    from pmtui.model import AlertmanagerSettings
    from pmtui.sources.alertmanager import collect as collect_alertmanager

    server = hostile_server.start(kind, location="http://127.0.0.2:9/elsewhere")
    result = collect_alertmanager(AlertmanagerSettings(url=server.url), _ctx(tmp_path))
    text = result.gaps[0].description
    if kind == "garbage":
        assert "did not answer JSON (HTTP 200, text/html)" in text
    else:
        assert "a redirect to http://127.0.0.2:9/elsewhere" in text
