"""The library's speed-ups give what the plain readers give: search from
the bytes of files the cache vouches for finds the hits a full parse of
every file finds, in the same order, on the same lines; and `pmtui ls`,
`actions`, `search` and `stats --json` print the same whether the cache
is empty, complete, or holds rows listed from outlines (two-ends reads)
whose checks were cut short."""

from __future__ import annotations

import importlib
import json
import random

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.library import cache
from pmtui.library.search import search
from pmtui.sample import many_events
from pmtui.sample_library import add_bad_files, make_library, make_pm

search_mod = importlib.import_module("pmtui.library.search")
scan_mod = importlib.import_module("pmtui.library.scan")

QUERIES = ["OOMKilled", "payments", "pool exhausted", "because", "alert", "@bob", "nginx", "error", "kind",
           "the", "SEV1", "retry storm", "00003", "late row", "hidden", "Ünïcode", "x"]


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files just written are not "racy" here
    root = tmp_path / "lib"
    make_library(root, 16, events=(50, 320), per_folder=6)
    add_bad_files(root)
    hand = root / "hand"
    hand.mkdir()
    base = store.dumps(store.new_document(make_pm(90, random.Random(9), 120), None))
    first = base.index("[[timeline]]\ntime")
    second = base.index("[[timeline]]\ntime", first + 1)
    row = '\n[[timeline]]\ntime = 2025-02-09T10:00:00Z\nevent = "late row after the tables"\nkind = "other"\n'
    (hand / "after.toml").write_text(base + row)  # not pmtui's layout: parsed whole
    (hand / "comment.toml").write_text(base[:second] + "# hidden OOMKilled note among the rows\n" + base[second:])
    (hand / "multiline.toml").write_text(base.replace(
        'summary = "', 'summary = """\n# not a comment: OOMKilled in the summary, because\n', 1).replace(
        "\ntrigger =", '"""\ntrigger =', 1).replace('."""\ntrigger', '.\n"""\ntrigger', 1))
    (hand / "escapes.toml").write_text(store.dumps(store.new_document(many_events(200), None)))
    (hand / "unicode.toml").write_text(base.replace('event = "', 'event = "Ünïcode x ', 3))
    return root


def _warm(root):
    scan_mod.scan([root])
    assert scan_mod.scan([root]).read == 0


def test_search_from_the_bytes_finds_what_a_full_parse_finds(library, monkeypatch):
    for path in (library / "hand").glob("*.toml"):  # the hand-made files read as the editor reads them
        assert store.read_quick(path.read_bytes(), str(path)) == store.loads(path.read_text(), path=path).pm
    _warm(library)
    used = []
    real = search_mod._from_bytes

    def counted(*args, **kwargs):
        got = real(*args, **kwargs)
        used.append(got is not None)
        return got

    monkeypatch.setattr(search_mod, "_from_bytes", counted)
    for query in QUERIES:
        problems_fast: list = []
        problems_full: list = []
        fast = list(search([library], query, unreadable=problems_fast))
        full = list(search([library], query, use_cache=False, unreadable=problems_full))
        assert fast == full, query
        assert problems_fast == problems_full
    assert sum(used) > len(QUERIES) * 5  # the bytes did the work for most files
    for query in ("late row", "OOMKilled"):
        assert any(h.path.name in ("after.toml", "multiline.toml") for h in search([library], query))


def test_a_file_changed_after_the_cache_is_parsed_again(library):
    _warm(library)
    path = next(library.rglob("pm-*.toml"))
    text = path.read_text()
    path.write_text(text.replace('\nevent = "', '\nevent = "Freshly written ', 1))
    hits = list(search([library], "freshly written"))
    assert [h.path for h in hits] == [path] and hits == list(search([library], "freshly written", use_cache=False))


def _json(*args) -> dict:
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def _all_json(root) -> list[dict]:
    as_of = ("--as-of", "2025-06-01")
    return [_json("ls", root, "--json", *as_of), _json("actions", root, "--json", *as_of),
            _json("stats", root, "--json", *as_of), _json("search", root, "OOMKilled", "--json"),
            _json("search", root, "because pool", "--json")]


def test_cli_json_is_the_same_cold_warm_and_from_outlines(library, monkeypatch):
    cold = _all_json(library)  # the cache is empty
    warm = _all_json(library)  # the cache is complete
    assert warm == cold
    # The Library screen's way, cut short: rows from outlines (big files
    # from their two ends), some checklists not yet in.
    cache.cache_path([library]).unlink()
    stop: list = []
    for _entry in scan_mod.iter_scan([library], checks_later=True, workers=1, listed=lambda: stop.append(1),
                                     cancelled=lambda: len(stop) > 3):
        if stop:
            stop.append(1)
    records = cache.load(cache.cache_path([library]))
    pending = [r for r in records.values() if r.pending]
    assert pending and any(r.payload[24] is None for r in pending)  # row counts to come: two-ends outlines
    assert _all_json(library) == cold


def test_a_pool_searches_in_the_walks_order(library, monkeypatch):
    _warm(library)
    monkeypatch.setattr(search_mod, "POOL_FROM", 4)
    monkeypatch.setattr(search_mod, "CHUNK", 3)
    for query in ("OOMKilled", "because pool", "the"):
        problems_pool: list = []
        problems_one: list = []
        pooled = list(search([library], query, workers=2, unreadable=problems_pool))
        one = list(search([library], query, workers=1, use_cache=False, unreadable=problems_one))
        assert pooled == one and problems_pool == problems_one
    assert [p.path.name for p in problems_pool] == [p.path.name for p in problems_one]
    # Stopping early (`pmtui search --limit`) stops the pool.
    first = next(iter(search([library], "the", workers=2)))
    assert first == one[0] if one else True
