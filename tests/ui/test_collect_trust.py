"""Issue 16: before the Collect pane sends a credential to a server the
post-mortem file names, it shows the server, the variable's name (never
its value) and the keys, and asks; enter keeps the credential. A yes is
remembered (pmtui.trust), a no leaves the source a gap and the server
untouched. Against a loopback server that records every request's headers
(tests/support/hostile_servers.py's Prometheus-shaped `bad_samples`)."""

from __future__ import annotations

from pmtui.model import PrometheusSettings
from pmtui.trust import Trust, origin
from pmtui.ui.screens.trust import TrustScreen

TOKEN = "prom-Zq8xK2mP9vL4nR7tY3wB"
VAR = "PMTUI_PROM_TOKEN"


def _pm(url: str, **auth: str):
    from pmtui.sample import sample_postmortem

    pm = sample_postmortem()
    pm.sources.prometheus = PrometheusSettings(url=url, **auth)
    pm.sources.alertmanager.url = ""
    pm.sources.kubernetes.deployment = pm.sources.kubernetes.selector = ""
    return pm


async def _until(pilot, settle, check, what: str) -> None:
    for _ in range(300):
        await settle(pilot)
        if check():
            return
    raise AssertionError(f"never: {what}")


async def test_collect_asks_before_a_token_goes_to_a_server_the_file_names(
        hostile_server, monkeypatch, make_app, settle, screen_text):
    server = hostile_server.start("bad_samples")
    monkeypatch.setenv(VAR, TOKEN)
    app = make_app(_pm(server.url, auth="bearer", token_env=VAR), first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.panes["collect"]
        await settle(pilot)
        await pilot.press("c")
        await _until(pilot, settle, lambda: isinstance(app.screen, TrustScreen), "the question")
        text = screen_text(app)
        assert origin(server.url) in text and f"${VAR}" in text
        assert "the file's [sources.prometheus] url" in text
        assert "y send it" in text and "don't send" in text
        assert TOKEN not in text and TOKEN[:8] not in text
        assert not pane.states  # nothing starts before the answer

        await pilot.press("enter")  # the safe choice
        await _until(pilot, settle, lambda: pane.states and not pane.running, "collection done")
        assert server.seen == []  # not even a request without the token
        assert any(f"'{VAR}', which you have not allowed" in g.description for g in app.session.pm.gaps)
        trust = Trust.load()
        assert not trust.allows_env(VAR) and not trust.allows(server.url, f"env:{VAR}")
        assert any(f"pmtui trust {origin(server.url)} --credential env:{VAR} --env {VAR}" in str(n.message)
                   for n in app._notifications)

        await pilot.press("c")  # asked again: a no is not remembered
        await _until(pilot, settle, lambda: isinstance(app.screen, TrustScreen), "the question again")
        await pilot.press("y")
        await _until(pilot, settle, lambda: not isinstance(app.screen, TrustScreen) and not pane.running,
                     "collection with the token")
        trust = Trust.load()
        assert trust.allows_env(VAR) and trust.allows(server.url, f"env:{VAR}")
        assert server.credentials_seen() and set(server.credentials_seen()) == {f"Bearer {TOKEN}"}

        seen = len(server.seen)
        await pilot.press("c")  # remembered: no question, straight to collecting
        await _until(pilot, settle, lambda: len(server.seen) > seen and not pane.running, "a third collection")
        assert not isinstance(app.screen, TrustScreen)
        assert TOKEN not in screen_text(app)


async def test_escape_and_n_keep_the_credentials_of_basic_auth(hostile_server, monkeypatch, make_app, settle,
                                                              screen_text):
    server = hostile_server.start("bad_samples")
    monkeypatch.setenv("PMTUI_PROM_USER", "reader")
    monkeypatch.setenv("PMTUI_PROM_PASS", "pw-Tr0ub4dor3xyzQ")
    app = make_app(_pm(server.url, auth="basic", username_env="PMTUI_PROM_USER", password_env="PMTUI_PROM_PASS"),
                   first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.panes["collect"]
        await settle(pilot)
        for key in ("escape", "n"):
            await pilot.press("c")
            await _until(pilot, settle, lambda: isinstance(app.screen, TrustScreen), "the question")
            text = screen_text(app)
            assert "$PMTUI_PROM_USER" in text and "$PMTUI_PROM_PASS" in text and "Tr0ub4dor" not in text
            await pilot.press(key)
            await _until(pilot, settle, lambda: pane.states and not pane.running, "collection done")
            assert server.seen == [] and not Trust.load().allows_env("PMTUI_PROM_PASS")


async def test_no_question_for_plain_http_to_another_host(monkeypatch, make_app, settle):
    """No answer could allow it (pmtui.trust): not asked, refused as a gap."""
    monkeypatch.setenv(VAR, TOKEN)
    app = make_app(_pm("http://prometheus.invalid:9090", auth="bearer", token_env=VAR), first_pane="collect")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.panes["collect"]
        await settle(pilot)
        Trust.load().allow_env(VAR)
        await pilot.press("c")
        await _until(pilot, settle, lambda: pane.states and not pane.running, "collection done")
        assert not isinstance(app.screen, TrustScreen)
        assert any("over plain http" in g.description for g in app.session.pm.gaps)
