"""Secrets planted in the people's sources and the logs that outlive pods
never come out (the test_secrets.py method, extended): not in a file pmtui
writes, not on stdout or stderr, not on the screen, not in a notice.

Input paths, one set of secrets each (`planted_secrets.secrets_for`), plus
the shapes these sources carry:
- CHAT: Slack messages (from the loopback Web API), with a Slack bot token,
  an app-level token and an incoming-webhook URL pasted in.
- PAGING: PagerDuty log entry notes (loopback REST API), with a routing key.
- LOKI: log lines from the loopback Loki; FILELOG: a log file on disk.
- ENV: SLACK_TOKEN (xoxb-…), PAGERDUTY_TOKEN (a REST key: no prefix, so
  only pmtui's remembering the value it read can catch it) and
  LOKI_TOKEN, sent to the servers, which must see them only in the
  Authorization header; one server echoes its key back in an error.

Then `pmtui collect --accept --json` in a real process, and the app's
Collect pane: its three views and the evidence viewer on the chat log.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass

import pytest

from pmtui import store
from pmtui.model import IncidentTimes, PostMortem
from pmtui.sample import at
from pmtui.sources.loki import _ns


@dataclass(frozen=True)
class Shape:
    kind: str
    text: str
    needle: str

    @property
    def name(self) -> str:
        return self.kind


def _shapes(tag: str) -> tuple[Shape, ...]:
    rng = random.Random(f"pmtui-people:{tag}")

    def rand(n: int) -> str:
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    bot, app, hook, routing = rand(24), rand(40), rand(24), rand(32).lower()
    return (
        Shape(f"{tag}:slack-bot-token", f"xoxb-1234567890-0987654321-{bot}", bot),
        Shape(f"{tag}:slack-app-token", f"xapp-1-A0123ABCDEF-1234567890123-{app}", app),
        Shape(f"{tag}:slack-webhook", f"https://hooks.slack.com/services/T0TEST/B0HOOK/{hook}", hook),
        Shape(f"{tag}:pagerduty-routing-key", f"routing_key={routing}", routing),
    )


class World:
    def __init__(self, kit) -> None:
        self.kit = kit
        self.sets = {tag: kit.secrets_for(tag) + _shapes(tag) for tag in ("chat", "paging", "loki", "filelog")}
        rng = random.Random("pmtui-people:env")
        key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(20))
        tail = "".join(rng.choice("abcdefghijKLMNOP0123") for _ in range(24))
        self.slack_token = "xoxb-1111111111-2222222222-" + tail
        self.pagerduty_key = key
        self.loki_token = "loki-" + "".join(rng.choice("abcdefghijKLMNOP0123") for _ in range(32))
        self.env = (Shape("env:slack-token", self.slack_token, self.slack_token[27:]),
                    Shape("env:pagerduty-key", key, key),
                    Shape("env:loki-token", self.loki_token, self.loki_token[5:]))
        self.every = tuple(s for group in self.sets.values() for s in group) + self.env

    def line(self, tag: str) -> str:
        return " ; ".join(s.text for s in self.sets[tag] if "\n" not in s.text)

    def block(self, tag: str) -> str:
        return next(s.text for s in self.sets[tag] if "\n" in s.text)

    def leaks(self, text: str) -> list[str]:
        return self.kit.leaks(text, self.every)


@pytest.fixture
def world(tmp_path, monkeypatch, planted_secrets, fake_slack, fake_pagerduty, fake_loki):
    w = World(planted_secrets)
    slack = fake_slack(token=w.slack_token)
    channel = slack.messages["C08INC0209"]
    base = dict(channel[1])
    channel.append({**base, "ts": "1739096100.000100", "text": "pasting creds by mistake: " + w.line("chat")})
    channel.append({**base, "ts": "1739096160.000100", "text": w.block("chat")})
    # The scan finds what was planted (so an empty result means something).
    assert {k.split(":")[0] for k in w.leaks(json.dumps(channel))} == {"chat"}
    pd = fake_pagerduty(key=w.pagerduty_key)
    entries = pd.log_entries[pd.demo_id]
    note = next(e for e in entries if e["type"] == "annotate_log_entry")
    entries.append({**note, "id": "RLEAK1", "note": w.line("paging") + "\n" + w.block("paging"),
                    "created_at": "2025-02-09T10:30:00Z"})
    loki = fake_loki(token=w.loki_token)
    lines = [(_ns(at("10:14:00")), f'level=error msg="upstream failed" {w.line("loki")}')]
    lines += [(_ns(at("10:16:00")) + i, f"level=error {part}") for i, part in enumerate(w.block("loki").splitlines())]
    loki.add({"namespace": "shop", "app": "api", "pod": "api-old-1", "container": "api"}, lines)
    work = tmp_path / "work"
    (work / "logs").mkdir(parents=True)
    (work / "logs" / "api.log").write_text(
        f'2025-02-09T10:20:00Z level=error msg="boom" {w.line("filelog")}\n'
        + "".join(f"2025-02-09T10:20:01Z {part}\n" for part in w.block("filelog").splitlines()))
    pm = PostMortem(id="PM-2025-02-09", title="API degradation",
                    times=IncidentTimes(started=at("10:05:00"), resolved=at("11:40:00")))
    s = pm.sources
    s.slack.channel = "inc-2025-02-09-api"
    s.pagerduty.incident = pd.demo_id
    s.loki.url, s.loki.query, s.loki.auth = loki.url, '{namespace="shop"}', "bearer"
    s.files.paths = ["logs/api.log"]
    path = work / "incident.toml"
    store.save(store.new_document(pm, path))
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home"), "NO_COLOR": "1",
           "PAGERDUTY_TOKEN": w.pagerduty_key, "SLACK_TOKEN": w.slack_token, "LOKI_TOKEN": w.loki_token}
    from pmtui.trust import Trust

    # The user trusted their Loki with its token (`pmtui trust URL --credential env:LOKI_TOKEN`).
    Trust(path=tmp_path / "config" / "pmtui" / "trust.toml").remember(loki.url, "env:LOKI_TOKEN")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {"w": w, "path": path, "work": work, "tmp": tmp_path, "env": env, "servers": (slack, pd, loki)}


def _scan_tree(world, found: list) -> int:
    n = 0
    for root in (world["work"], world["tmp"] / "state", world["tmp"] / "config"):
        for folder, _dirs, files in os.walk(root):
            for name in files:
                f = os.path.join(folder, name)
                if f.endswith("api.log") and "/logs/" in f and "evidence" not in f:
                    continue  # the planted input itself
                with open(f, "rb") as fh:
                    text = fh.read().decode("utf-8", "replace")
                leaked = world["w"].leaks(text)
                if leaked:
                    found.append((f, leaked))
                n += 1
    return n


def _servers_saw_tokens_only_in_headers(world) -> None:
    w = world["w"]
    for server in world["servers"]:
        for r in server.requests:
            assert not w.kit.leaks(json.dumps(r.query), w.env), (server, r.path)


def test_cli_collect_leaks_nothing(world):
    w, path = world["w"], world["path"]
    done = subprocess.run([sys.executable, "-m", "pmtui", "collect", str(path), "--accept", "--json"],
                          capture_output=True, timeout=180, cwd=world["work"], env={**os.environ, **world["env"]},
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr.decode()
    out = json.loads(done.stdout)
    assert out["failed"] == [], out["gaps"]
    assert {c["source"].split(":")[0] for c in out["candidates"]} >= {"slack", "pagerduty", "loki", "file"}
    assert any("\u00abredacted:" in c["event"] for c in out["candidates"] if c["source"].startswith("slack"))
    found = []
    for place, data in (("stdout", done.stdout), ("stderr", done.stderr)):
        leaked = w.leaks(data.decode("utf-8", "replace"))
        if leaked:
            found.append((place, leaked))
    files = _scan_tree(world, found)
    assert files >= 5  # the file and an evidence file per source
    _servers_saw_tokens_only_in_headers(world)
    assert found == [], found


def test_a_key_echoed_back_by_the_server_is_redacted(world):
    _slack, pd, _loki = world["servers"]
    pd.respond("/log_entries$", 400, {"error": {"message": "Invalid Input Provided", "code": 2001,
                                                "errors": [f"bad key {world['w'].pagerduty_key}"]}})
    done = subprocess.run([sys.executable, "-m", "pmtui", "collect", str(world["path"]), "--json"],
                          capture_output=True, timeout=180, cwd=world["work"], env={**os.environ, **world["env"]},
                          stdin=subprocess.DEVNULL)
    out = json.loads(done.stdout)
    gap = next(g for g in out["gaps"] if g["source"] == "pagerduty")
    assert "\u00abredacted:pagerduty-key\u00bb" in gap["description"]
    assert world["w"].pagerduty_key not in done.stdout.decode() + done.stderr.decode()
    assert world["w"].pagerduty_key not in world["path"].read_text()


async def test_app_collect_pane_shows_and_writes_nothing_secret(world, fixed_now):
    from pmtui.ui.app import PmApp
    from pmtui.ui.screens.evidence import EvidenceLines, EvidenceScreen

    w = world["w"]
    app = PmApp(store.load(world["path"]), now=fixed_now, blink=False, first_pane="collect")
    found: list = []

    def capture(place: str) -> None:
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(seg.text for seg in strip) for strip in strips)
        leaked = w.leaks(text)
        if leaked:
            found.append((place, leaked))

    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        collect = app.panes["collect"]
        for _ in range(200):
            await pilot.pause(0.05)
            if not collect.running:
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert {n: s.state for n, s in collect.states.items()} == {
            "loki": "done", "files": "done", "slack": "done", "pagerduty": "done"}, collect.states
        capture("candidates")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        capture("evidence")
        chat = next(i for i, e in enumerate(collect.table.rows) if e.kind == "chat")
        collect.table.move_cursor(chat)
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, EvidenceScreen)
        shown = "\n".join(app.screen.query_one(EvidenceLines).lines)
        assert "pasting creds by mistake" in shown
        leaked = w.leaks(shown)
        if leaked:
            found.append(("evidence viewer", leaked))
        await pilot.press("escape")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        capture("gaps")
        await pilot.press("right_square_bracket")
        await pilot.press("A")
        await asyncio.sleep(0.1)
        await pilot.pause()
        for n in app._notifications:
            leaked = w.leaks(str(n.message))
            if leaked:
                found.append(("notice", leaked))
        assert app.save()
        await pilot.pause()
    _scan_tree(world, found)
    assert found == [], found
