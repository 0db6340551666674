"""Collect pane: every key, on the demo recordings (no network) and on a
source that hangs; checked on the model, the screen and the saved file."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from pmtui.model import Evidence
from pmtui.ui.panes.collect import CollectPane
from pmtui.ui.screens.evidence import EvidenceLines, EvidenceScreen
from pmtui.ui.screens.form import FormScreen
from pmtui.ui.widgets.chart import TimeChart


def pane(app) -> CollectPane:
    return app.panes["collect"]


async def collect(app, pilot):
    await pilot.press("c")
    await app.workers.wait_for_complete()
    for _ in range(5):
        await pilot.pause()
        if not pane(app).running:
            break


async def test_collect_accept_undo_and_save(tmp_path, demo_app, saved, screen_text):
    app = demo_app(demo=True, first_pane="collect")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert "Press c to collect" in screen_text(app)
        before = len(app.session.pm.timeline)
        await collect(app, pilot)
        p = pane(app)
        assert {n: s.state for n, s in p.states.items()} == {
            "prometheus": "done", "alertmanager": "done", "kubernetes": "done", "slack": "done", "pagerduty": "done"}
        assert len(p.shown) >= 10
        # Evidence is recorded in the model with files that exist and match.
        pm = app.session.pm
        assert {e.source for e in pm.evidence} >= {"prometheus", "alertmanager", "kubernetes"}
        for ev in pm.evidence:
            assert (tmp_path / ev.path).is_file()
        text = screen_text(app)
        assert "Alert DBPoolSaturated firing" in text
        assert "✓ prometheus" in text

        first = p.table.cursor_value
        await pilot.press("space")
        assert len(pm.timeline) == before + 1
        assert any(e.event == first.event and e.time == first.time for e in pm.timeline)
        assert first not in p.shown  # accepted rows leave the list

        remaining = len(p.shown)
        await pilot.press("A")
        assert len(pm.timeline) == before + 1 + remaining
        assert p.shown == []
        assert [e.time for e in pm.timeline] == sorted(e.time for e in pm.timeline)
        assert "Every candidate is in the timeline" in screen_text(app)

        await pilot.press("ctrl+z")  # undo "accept all"
        assert len(pm.timeline) == before + 1
        assert len(p.shown) == remaining

        # Accepting again skips nothing already there and adds no duplicates.
        await pilot.press("A")
        await pilot.press("A")
        assert len(pm.timeline) == before + 1 + remaining

        await pilot.press("ctrl+s")
        on_disk = saved(app)
        assert len(on_disk.timeline) == before + 1 + remaining
        assert len(on_disk.evidence) == len(pm.evidence)
        assert any("no history of resolved alerts" in g.description for g in on_disk.gaps)


async def test_views_and_evidence_viewer(demo_app, screen_text):
    app = demo_app(demo=True, first_pane="collect")
    async with app.run_test(size=(120, 36)) as pilot:
        await collect(app, pilot)
        p = pane(app)
        await pilot.press("right_square_bracket")
        assert p.view == "evidence"
        assert all(isinstance(r, Evidence) for r in p.table.rows)
        # Move to the pod log and open it.
        logs = next(i for i, e in enumerate(p.table.rows) if e.kind == "logs")
        p.table.move_cursor(logs)
        await pilot.press("o")
        assert isinstance(app.screen, EvidenceScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert 'level=info msg="GET /api/orders 200"' in screen_text(app)
        shown = app.screen.query_one(EvidenceLines).lines
        assert any("connection pool exhausted" in line for line in shown)
        await pilot.press("escape")
        # A metric opens as a chart with its figures.
        metric = next(i for i, e in enumerate(p.table.rows) if e.kind == "metrics")
        p.table.move_cursor(metric)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "max" in screen_text(app) and "points" in screen_text(app)
        assert app.screen.query(TimeChart)
        await pilot.press("escape")
        await pilot.press("right_square_bracket")
        assert p.view == "gaps"
        assert "no history of resolved alerts" in screen_text(app)
        await pilot.press("right_square_bracket")
        assert p.view == "candidates"
        await pilot.press("left_square_bracket")
        assert p.view == "gaps"


async def test_evidence_changed_after_collection_is_flagged(tmp_path, demo_app, screen_text):
    app = demo_app(demo=True, first_pane="collect")
    async with app.run_test(size=(120, 36)) as pilot:
        await collect(app, pilot)
        ev = next(e for e in app.session.pm.evidence if e.kind == "logs")
        (tmp_path / ev.path).write_bytes(b"tampered\n")
        app.push_screen(EvidenceScreen(ev, tmp_path))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no longer matches its recorded sha256" in screen_text(app)


async def test_settings_form_refuses_secrets_and_saves_names(demo_app, screen_text):
    app = demo_app(first_pane="collect")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.editor("prometheus").value = "http://admin:hunter2@prom:9090"
        form.editor("token_env").value = "ghp_notAName-123"
        await pilot.press("ctrl+s")
        assert app.screen is form  # refused, nothing lost
        text = screen_text(app)
        assert "no credentials in the URL" in text
        assert "NAME of an environment variable" in text
        assert form.editor("prometheus").value == "http://admin:hunter2@prom:9090"
        form.editor("prometheus").value = "http://prom.internal:9090/"
        form.editor("token_env").value = "$PROM_TOKEN"
        form.query_one("#field-auth").value = "bearer"
        form.editor("namespace").value = "payments"
        form.editor("containers").value = "api, sidecar"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, FormScreen)
        s = app.session.pm.sources
        assert (s.prometheus.url, s.prometheus.auth, s.prometheus.token_env) == (
            "http://prom.internal:9090", "bearer", "PROM_TOKEN")
        assert s.kubernetes.namespace == "payments" and s.kubernetes.containers == ["api", "sidecar"]
        assert "bearer auth from $PROM_TOKEN" in screen_text(app)
        await pilot.press("ctrl+s")
        raw = app.document.path.read_text()
        assert 'token_env = "PROM_TOKEN"' in raw and "hunter2" not in raw
        await pilot.press("ctrl+z")
        assert app.session.pm.sources.prometheus.url != "http://prom.internal:9090"


async def test_nothing_configured_says_what_to_set(make_app):
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.sources.prometheus.url = pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    app = make_app(pm, first_pane="collect")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert pane(app).states == {}
        assert any("No source is set" in str(n.message) for n in app._notifications)


@pytest.fixture
def hung_server():
    """Accepts connections and never answers: a Prometheus that hangs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    sock.close()


async def test_hung_source_keeps_keys_answering_and_cancels(hung_server, make_app, screen_text):
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.sources.prometheus.url = hung_server
    pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    app = make_app(pm, first_pane="collect")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        p = pane(app)
        assert p.running
        # The interface keeps answering while the request hangs.
        started = time.perf_counter()
        await pilot.press("right_square_bracket")
        await pilot.press("right_square_bracket")
        assert p.view == "gaps"
        assert time.perf_counter() - started < 1.0
        await pilot.press("escape")
        assert not p.running
        assert p.states["prometheus"].state == "cancelled"
        assert "cancelled" in screen_text(app)
        for worker in list(app.workers):
            worker.cancel()


async def test_candidates_kind_confidence_trigger_first_and_their_evidence(demo_app, screen_text, settle):
    """With the rollout row gone from the timeline, the rollout the
    Kubernetes events tell of is the possible trigger: first, flagged, with
    its kind and confidence; what other sources (or rows) say it too is
    told for the candidate under the cursor; `o` opens its evidence at its
    time; accepting it keeps every evidence reference on the row."""
    app = demo_app(demo=True, first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        pm = app.session.pm
        pm.timeline[:] = [e for e in pm.timeline if "ollout" not in e.event]
        await collect(app, pilot)
        p = pane(app)
        first = p.table.rows[0]
        assert first.trigger and first is p.shown[0]
        assert all(not c.trigger for c in p.shown[1:])
        assert [c.time for c in p.shown[1:]] == sorted(c.time for c in p.shown[1:])
        text = screen_text(app)
        assert "\u2691 ScalingReplicaSet" in text
        assert "action" in text and f"{round(first.confidence * 100)}%" in text
        assert "possible trigger: the earliest change before the first symptom" in text
        # Rows the timeline already holds are listed last, marked, never offered.
        assert p.known and all(p.table.rows[-i - 1] is c for i, c in enumerate(reversed(p.known)))
        assert f"(+{len(p.known)} in the timeline)" in text
        merged = next(c for c in p.shown if len(c.sources) > 1)
        p.table.move_cursor(list(p.table.rows).index(merged))
        await settle(pilot)
        assert "also in " + merged.also_in[0] in screen_text(app)
        # Its evidence, at its time.
        p.table.move_cursor(0)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceScreen)
        view = app.screen.query_one(EvidenceLines)
        assert view.target is not None and first.time.strftime("%Y-%m-%dT%H:%M:%S") in view.lines[view.target]
        await pilot.press("escape")
        # Accepted, it keeps every evidence reference, and it is a key row.
        await pilot.press("space")
        row = next(e for e in pm.timeline if e.event == first.event)
        assert row.evidence == first.refs and row.key
        known = p.known[0]
        p.table.move_cursor(list(p.table.rows).index(known))
        before = len(pm.timeline)
        await pilot.press("space")
        assert len(pm.timeline) == before
