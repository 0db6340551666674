"""Secrets planted in every input path never come out: not in a file pmtui
writes, not on stdout or stderr, not on the screen, not in a notice, not
in what is sent to GitHub.

Each input path gets its own set of secrets (`planted_secrets.secrets_for`,
the `planted` fixture), one of each kind: a bearer header, a ghp_ token, a github_pat_ token, an
AWS access key id and secret key, a postgres:// DSN with a password,
password=..., a JWT and an RSA private key block. So a leak names both the
kind and the path it came from:

- FILE: typed by the author into the post-mortem's own prose (title,
  summary, every list, timeline events and actors, whys, factors, actions,
  gaps).
- PROMQL: inside the PromQL queries of the file's [sources.prometheus].
- LOGS: Kubernetes pod logs (one secret a line, the key block over lines)
  and event messages, from the loopback API server via the real client.
- ALERTS: Alertmanager alert labels and annotations, and a silence's
  comment and author, in a real Alertmanager.
- GHERR: the body of an error answer from (loopback) GitHub.
- ENV: the environment: PROM_TOKEN (Prometheus bearer auth, via
  token_env), GITHUB_TOKEN (the export token), and the token of the
  kubeconfig the Kubernetes client uses.

Then `pmtui report` (stdout and -o), `pmtui check` (table and --json),
`pmtui collect --accept --json` (Prometheus, Alertmanager, Kubernetes),
`pmtui export --dry-run` and a real export, and the app: every pane, the
report preview (its sections and its timeline table), the checklist, the
Collect pane's three views, the evidence viewer on the redacted pod log,
the toasts, an edit (journal) and a save (backup).

What is scanned: every file under the post-mortem's folder (the file, its
backup, NAME.evidence/**, the report), under XDG_STATE_HOME (journal,
lock) and XDG_CONFIG_HOME; every stdout and stderr; every screen
capture; every notice; every request body GitHub received. A leak is any
8-character run of a secret (screens cut long text).

Where the author's own secret may stay (decided here, on purpose):
- The post-mortem file keeps what its author typed. pmtui never silently
  rewrites a user's file, so FILE and PROMQL secrets stay in it, and in
  the two copies of it that exist to give it back: the backup of the
  previous version (NAME.toml.bak) and the recovery journal (in
  XDG_STATE_HOME, private to the user). Anything from outside (LOGS,
  ALERTS, GHERR, ENV) is in none of them.
- The panes that edit that text show it as typed (overview, timeline,
  analysis, actions): the user must see what they are editing. They are
  scanned for every set but FILE. Everything else on screen (the report
  preview and checklist, the Collect pane, the evidence viewer, notices)
  is scanned for every set, FILE included, as are the report, `check`
  output, evidence and what goes to GitHub.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pmtui import store
from pmtui.filesafety.journal import journal_dir
from pmtui.sample import at, sample_postmortem


class Planted:
    """A set of secrets for each input path, the groups the scans check for,
    and the tokens the environment hands pmtui."""

    def __init__(self, kit) -> None:
        self.kit = kit
        self.file, self.promql, self.logs, self.alerts, self.gherr, self.env = (
            kit.secrets_for(tag) for tag in ("file", "promql", "logs", "alerts", "gherr", "env"))
        self.sets = {"FILE": self.file, "PROMQL": self.promql, "LOGS": self.logs, "ALERTS": self.alerts,
                     "GHERR": self.gherr, "ENV": self.env}
        self.every = tuple(s for group in self.sets.values() for s in group)
        self.outside = self.logs + self.alerts + self.gherr + self.env
        self.not_file = self.promql + self.outside  # what the editing panes must not show
        self.prom_token = self.env[0].needle  # the bearer
        self.github_token = "ghp_" + self.env[1].needle
        self.kube_token = self.env[2].needle

    def one_line(self, secrets) -> str:
        return self.kit.one_line(secrets)

    def all_text(self, secrets) -> str:
        return self.kit.all_text(secrets)

    def plant_everywhere(self, pm, text: str) -> int:
        return self.kit.plant_everywhere(pm, text)

    def leaked_kinds(self, text: str, secrets) -> set[str]:
        return set(self.kit.leaks(text, secrets))

    def scan(self):
        return self.kit.Scan()


@pytest.fixture(scope="module")
def planted(planted_secrets) -> Planted:
    return Planted(planted_secrets)


def _z(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def alertmanager(start_alertmanager, http_json, planted):
    """Our own Alertmanager: the planted alerts must not reach other tests."""
    server = start_alertmanager()
    far = _z(datetime.now(UTC) + timedelta(hours=2))
    http_json("POST", f"{server.url}/api/v2/alerts", [{
        "labels": {"alertname": "DBPoolSaturated", "service": "api", "leak": planted.one_line(planted.alerts)},
        "annotations": {"summary": planted.one_line(planted.alerts),
                        "description": planted.all_text(planted.alerts)},
        "startsAt": _z(at("10:20:00")), "endsAt": far,
    }])
    now = datetime.now(UTC)
    http_json("POST", f"{server.url}/api/v2/silences", {
        "matchers": [{"name": "alertname", "value": "DBPoolSaturated", "isRegex": False, "isEqual": True}],
        "startsAt": _z(now), "endsAt": _z(now + timedelta(hours=1)),
        "createdBy": planted.alerts[6].text, "comment": planted.all_text(planted.alerts)})
    deadline = time.monotonic() + 10
    while not http_json("GET", f"{server.url}/api/v2/alerts") and time.monotonic() < deadline:
        time.sleep(0.1)
    yield server
    server.stop()


def cluster_state(planted, kube):
    lines = [(at("10:14:00") + timedelta(seconds=i), f"level=error msg=\"upstream failed\" {s.text}".encode())
             for i, s in enumerate(planted.logs[:-1])]
    key = planted.logs[-1].text.splitlines()
    lines += [(at("10:16:00"), f"level=error msg=\"tls load failed\" {key[0]}".encode())]
    lines += [(at("10:16:00"), part.encode()) for part in key[1:]]
    lines += [(at("10:15:02") + timedelta(seconds=5 * i), b'level=error msg="connection pool exhausted" pool=orders')
              for i in range(20)]
    pod = kube.Pod(name="api-7d9f8b6c5-x2x4z", labels={"app": "api"}, start=at("09:00:00"),
                   containers=[kube.Container("api", logs=sorted(lines, key=lambda item: item[0]), restarts=1,
                                              previous=[(at("10:20:00"),
                                                         ("level=fatal " + planted.logs[5].text).encode())],
                                              last_terminated={"reason": "OOMKilled", "exitCode": 137,
                                                               "startedAt": "2025-02-09T09:00:05Z",
                                                               "finishedAt": "2025-02-09T10:21:07Z"})])
    events = [kube.Event(f"e{i}", "Failed", "probe failed: " + s.text, "Pod", pod.name, at("10:21:10"),
                         at("10:22:00"), count=2, type="Warning") for i, s in enumerate(planted.logs)]
    return kube.ClusterState(namespace="shop", deployments={"api": {"matchLabels": {"app": "api"}}}, pods=[pod],
                             events=events)


@pytest.fixture
def world(tmp_path, monkeypatch, prometheus_server, alertmanager, planted, fake_cluster, kube_incident, fake_github):
    work, inputs = tmp_path / "work", tmp_path / "inputs"
    work.mkdir()
    inputs.mkdir()
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home"),
        "PROM_TOKEN": planted.prom_token, "GITHUB_TOKEN": planted.github_token, "NO_COLOR": "1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    cluster = fake_cluster(cluster_state(planted, kube_incident), token=planted.kube_token)
    kubeconfig = cluster.write_kubeconfig(inputs / "kubeconfig", token=planted.kube_token)
    gh = fake_github(token=planted.github_token)

    pm = sample_postmortem()
    pm.id = "PM-2025-02-09"
    pm.times.started, pm.times.resolved = at("10:05:00"), at("10:40:00")
    fields = planted.plant_everywhere(pm, planted.all_text(planted.file))
    s = pm.sources
    s.prometheus.url, s.prometheus.auth, s.prometheus.token_env = prometheus_server.url, "bearer", "PROM_TOKEN"
    s.prometheus.queries = {
        "pool": "max(db_pool_connections_in_use)",
        "tagged": f'count(up{{job="{planted.one_line(planted.promql)}"}})',
        "broken": f'sum(rate(http_requests_total{{job="{planted.one_line(planted.promql)}"}}[1m]',
    }
    s.alertmanager.url = alertmanager.url
    s.kubernetes.kubeconfig = str(kubeconfig)
    s.kubernetes.namespace, s.kubernetes.deployment = "shop", "api"
    s.kubernetes.selector = ""
    pm.github.repo = gh.full_name
    pm.github.base_url = gh.base_url
    path = work / "incident.toml"
    store.save(store.new_document(pm, path))
    # The user trusts the servers this file names with their credentials
    # (pmtui.trust; test_hostile_servers.py covers the refusals).
    from pmtui.trust import Trust

    trust = Trust.load()
    trust.allow_env("PROM_TOKEN")
    trust.remember(prometheus_server.url, "env:PROM_TOKEN")
    trust.remember(gh.base_url, "github")
    # The file holds the author's secrets as typed, and nothing else.
    assert planted.leaked_kinds(path.read_text(), planted.file) == {s.name for s in planted.file}

    scan = planted.scan()
    return {"tmp": tmp_path, "work": work, "path": path, "env": env, "gh": gh, "cluster": cluster,
            "fields": fields, "scan": scan, "planted": planted}


def pmtui(world, *args: str, expect=(0, 1)) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pmtui", *args], capture_output=True, timeout=180,
                          cwd=world["work"], env={**os.environ, **world["env"]}, stdin=subprocess.DEVNULL)
    assert done.returncode in expect, (args, done.returncode, done.stderr.decode(errors="replace"))
    scan, planted = world["scan"], world["planted"]
    scan.data(f"`pmtui {args[0]}` stdout", done.stdout, planted.every)
    scan.data(f"`pmtui {args[0]}` stderr", done.stderr, planted.every)
    return done


def scan_files(world) -> int:
    """Every file written: the post-mortem and its copies hold the author's
    own secrets only; everything else holds none."""
    scan, planted = world["scan"], world["planted"]
    tmp, path = world["tmp"], world["path"]
    copies = [path, path.with_name(path.name + ".bak")]
    n = 0
    for root in (world["work"], tmp / "state", tmp / "config", tmp / "data", tmp / "home"):
        if not root.exists():
            continue
        for folder, _dirs, files in os.walk(root):
            for name in files:
                f = Path(folder) / name
                data = f.read_bytes()
                own = f in copies or f.parent == journal_dir(tmp / "state" / "pmtui")
                scan.data(str(f.relative_to(tmp)), data, planted.outside if own else planted.every)
                n += 1
    return n


def scan_github(world) -> None:
    gh, scan, planted = world["gh"], world["scan"], world["planted"]
    for method, p, payload in gh.requests:
        scan.text(f"GitHub {method} {p} body", json.dumps(payload), planted.every)
    for issue in gh.issues.values():
        scan.text(f"GitHub issue #{issue.number}", f"{issue.title}\n{issue.body}", planted.every)


def test_cli_commands_leak_no_planted_secret(world, planted):
    path, gh, scan = world["path"], world["gh"], world["scan"]
    report = pmtui(world, "report", str(path))
    assert b"\xc2\xabredacted:private-key\xc2\xbb" in report.stdout
    pmtui(world, "report", str(path), "-o", str(world["work"] / "report.md"))
    assert (world["work"] / "report.md").read_bytes() == report.stdout
    check = pmtui(world, "check", str(path))
    assert b"passed" in check.stdout
    pmtui(world, "check", str(path), "--json")

    collected = pmtui(world, "collect", str(path), "--accept", "--json")
    out = json.loads(collected.stdout)
    sources = {c["source"].split(":")[0] for c in out["candidates"]}
    assert {"alertmanager", "kubernetes"} <= sources
    assert "prometheus" in {e["id"].split("/")[0] for e in out["evidence"]}
    # The broken query's error came back as a gap; the log lines with the
    # secrets were read (their evidence exists) and redacted.
    assert any(g["source"] == "prometheus" for g in out["gaps"]), out["gaps"]
    log = next(world["work"].glob("incident.evidence/kubernetes/logs/*/api.log"))
    assert b"\xc2\xabredacted:" in log.read_bytes() and b"upstream failed" in log.read_bytes()
    assert (world["tmp"] / "work" / "incident.evidence" / "alertmanager" / "alerts.json").is_file()

    dry = pmtui(world, "export", str(path), "--base-url", gh.base_url, "--dry-run", "--no-pace")
    assert b"create" in dry.stdout and gh.count("POST") == 0
    gh.fault("POST", r"/repos/acme/ops/issues", "status", status=422, body={
        "message": "Validation Failed: " + planted.one_line(planted.gherr),
        "errors": [{"message": planted.all_text(planted.gherr)}],
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue"})
    export = pmtui(world, "export", str(path), "--base-url", gh.base_url, "--no-pace", expect=(0, 1, 2, 3))
    assert b"422" in export.stdout + export.stderr or b"Validation" in export.stdout + export.stderr
    # Again, the fault consumed: the issues are created (their bodies are
    # what GitHub keeps of the post-mortem).
    pmtui(world, "export", str(path), "--base-url", gh.base_url, "--no-pace")
    assert gh.issues
    scan_github(world)

    files = scan_files(world)
    assert files >= 8
    print(f"\nCLI: {len(planted.every)} secrets planted ({len(planted.sets)} input paths, "
          f"{world['fields']} prose fields); "
          f"{scan.checked} secret x place checks over {len(scan.places)} places ({files} files); "
          f"leaked: {len(scan.leaked)}")
    assert scan.leaked == [], "\n".join(map(str, scan.leaked))


# -- the app -----------------------------------------------------------------------


def preview_text(pane) -> str:
    """Every section of the report preview as drawn (not only what fits on
    the screen), and the Markdown it was drawn from."""
    from textual.widgets import OptionList

    from pmtui.ui.panes.report import ReportTimelineTable, SectionView

    out = []
    for view in pane.query(SectionView):
        out.append(view.source)
        if hasattr(view, "plain"):
            out.append(view.plain())
    # The timeline table: every cell of every row as the table draws it.
    for table in pane.query(ReportTimelineTable):
        out.extend(column.get(row) for row in table.rows for column in table.columns)
    # The checklist quotes the post-mortem (a vague action, a blaming phrase).
    for listing in pane.query(OptionList):
        out.extend(str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count))
    return "\n".join(out)


async def _settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def test_app_shows_and_writes_no_planted_secret(world, planted, fixed_now, screen_text):
    from pmtui.filesafety.journal import find_recovery
    from pmtui.ui.app import PmApp
    from pmtui.ui.screens.evidence import EvidenceLines, EvidenceScreen

    scan = world["scan"]
    path = world["path"]
    app = PmApp(store.load(path), now=fixed_now, blink=False)
    captures = 0

    def capture(place: str, secrets) -> None:
        nonlocal captures
        captures += 1
        scan.text(f"screen: {place}", screen_text(app), secrets)

    async with app.run_test(size=(200, 60)) as pilot:
        await _settle(app, pilot)
        editors = ""
        for name in ("overview", "timeline", "analysis", "actions"):
            await app.show_pane(name)
            await _settle(app, pilot)
            capture(name, planted.not_file)
            editors += screen_text(app)
        # The editing panes show the author's text as typed (the exception),
        # which also shows these captures would catch a leak.
        assert planted.leaked_kinds(editors, planted.file)

        await app.show_pane("report")
        await asyncio.sleep(0.3)
        await _settle(app, pilot)
        capture("report preview", planted.every)
        pane = app.panes["report"]
        whole = preview_text(pane)
        assert "\u00abredacted:" in whole
        scan.text("report preview, every section", whole, planted.every)

        await app.show_pane("collect")
        await _settle(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        collect = app.panes["collect"]
        for _ in range(100):
            if not collect.running:
                break
            await asyncio.sleep(0.1)
        await _settle(app, pilot)
        assert {n: s.state for n, s in collect.states.items()} == {
            "prometheus": "done", "alertmanager": "done", "kubernetes": "done"}, collect.states
        capture("collect: candidates", planted.every)
        await pilot.press("right_square_bracket")
        await _settle(app, pilot)
        capture("collect: evidence", planted.every)
        logs = next(i for i, e in enumerate(collect.table.rows) if e.kind == "logs" and e.path.endswith("api.log"))
        collect.table.move_cursor(logs)
        await pilot.press("o")
        await _settle(app, pilot)
        assert isinstance(app.screen, EvidenceScreen)
        shown = "\n".join(app.screen.query_one(EvidenceLines).lines)
        assert "upstream failed" in shown
        scan.text("evidence viewer: pod log", shown, planted.every)
        capture("evidence viewer", planted.every)
        await pilot.press("escape")
        await pilot.press("right_square_bracket")
        await _settle(app, pilot)
        capture("collect: gaps", planted.every)
        await pilot.press("right_square_bracket")
        await pilot.press("A")  # accept every candidate
        await _settle(app, pilot)

        # A notice quoting outside text (an error body, a log line).
        app.notify("Prometheus said: " + planted.all_text(planted.gherr), severity="error")
        await _settle(app, pilot)
        capture("toasts", planted.every)
        for n in app._notifications:
            scan.text("notice", str(n.message) + " " + str(n.title), planted.every)

        # An edit reaches the journal; the journal is the file at another
        # moment (the author's text, nothing from outside).
        await app.show_pane("timeline")
        await _settle(app, pilot)
        capture("timeline after accepting", planted.not_file)
        app.session.set("overview", "edit title", app.session.pm, "title", "Edited " + planted.all_text(planted.file))
        deadline = time.monotonic() + 10  # timing is test_journal_app's; here only the content
        while find_recovery(path) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        rec = find_recovery(path)
        assert rec is not None
        scan.text("journal", rec.text, planted.outside)
        scan_files(world)  # the journal is on disk now
        await app.show_pane("report")
        await asyncio.sleep(0.3)
        await _settle(app, pilot)
        capture("report preview after accepting", planted.every)
        whole = preview_text(pane)
        scan.text("report preview, every section, after accepting", whole, planted.every)
        assert app.save()
        await _settle(app, pilot)
        capture("after save", planted.every)

    assert path.with_name(path.name + ".bak").is_file()
    files = scan_files(world)
    print(f"\napp: {len(planted.every)} secrets planted ({len(planted.sets)} input paths); {captures} screen captures; "
          f"{scan.checked} secret x place checks over {len(scan.places)} places ({files} files); "
          f"leaked: {len(scan.leaked)}")
    assert scan.leaked == [], "\n".join(map(str, scan.leaked))


def test_library_warnings_on_stderr_are_redacted(tmp_path, planted, closed_port):
    """pmtui logs nothing itself; the libraries do (urllib3 logs each retry
    with the URL it was fetching). A Kubernetes API server that refuses
    connections, and a deployment named like a token, put a secret in that
    URL: the gap quoting it is redacted, and no library record reaches
    stderr (urllib3's logger has its NullHandler, so Python's last-resort
    printer stays quiet)."""
    secret = planted.env[1]  # ghp_...
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{closed_port}",
                                                "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": planted.kube_token}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    pm = sample_postmortem()
    path = tmp_path / "incident.toml"
    store.save(store.new_document(pm, path))
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run(
        [sys.executable, "-m", "pmtui", "collect", str(path), "--kubeconfig", str(kubeconfig), "--namespace", "shop",
         "--deployment", "ghp_" + secret.needle], capture_output=True, text=True, timeout=120, env=env,
        stdin=subprocess.DEVNULL)
    assert "Retrying" not in done.stderr, done.stderr
    assert "cannot reach the API server" in done.stdout and "\u00abredacted:github-pat\u00bb" in done.stdout
    scan = planted.scan()
    scan.text("collect stderr (library warnings)", done.stderr, planted.every)
    scan.text("collect stdout", done.stdout, planted.every)
    assert scan.leaked == [], scan.leaked
