"""The pre-scan that refuses a multi-line string over its field's limit
before tomllib reads it (store.longtext): it says what the normal reader
says, and refuses nothing the normal reader would open."""

from __future__ import annotations

import pytest

from pmtui import store
from pmtui.sample import large_postmortem
from pmtui.store import longtext, read
from pmtui.store.validate import MAX_LINE, MAX_PROSE

LOG = "GET /api/v1/orders 200 in 12 ms\n"
BIG = LOG * (MAX_PROSE // len(LOG) + 2)  # just over the prose limit


def _write(tmp_path, text: str, name: str = "pm.toml"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _rendered(pm) -> str:
    return store.dumps(store.new_document(pm, None))


def _normal_message(path, monkeypatch) -> str | None:
    """What the reader says without the pre-scan (None: it opens)."""
    with monkeypatch.context() as patched:
        patched.setattr(read, "refuse_long_strings", lambda text, where: None)
        try:
            store.load(path)
        except store.StoreError as exc:
            return str(exc)
    return None


def _prescan_message(path) -> str | None:
    text = path.read_bytes().decode("utf-8")
    try:
        longtext.refuse_long_strings(text, path)
    except store.StoreError as exc:
        return str(exc)
    return None


def _small_with(**fields) -> str:
    pm = large_postmortem(5)
    for name, value in fields.items():
        setattr(pm, name, value)
    return _rendered(pm)


def _raw_summary(raw: str) -> str:
    """A small post-mortem whose summary is `raw` as written in the file."""
    text = _small_with(summary="PLACEHOLDER")
    assert 'summary = "PLACEHOLDER"' in text
    return text.replace('"PLACEHOLDER"', raw, 1)


IMPACT = 'description = "40% of API requests failed for 35 minutes."'


CASES = {
    "summary": lambda: _small_with(summary=BIG),
    "prevention, crlf": lambda: _small_with(prevention=BIG).replace("\n", "\r\n"),
    "impact table": lambda: _small_with().replace(IMPACT, 'description = """\n' + BIG + '"""', 1),
    "custom field": lambda: _small_with() + '\n[custom]\nnotes = """\n' + BIG + '"""\n',
    "section": lambda: _small_with() + "\n[sections]\nextra = '''\n" + BIG + "'''\n",
    "escapes": lambda: _raw_summary('"""' + LOG.replace("GET", "G\\tET") * (20_000_000 // len(LOG)) + '"""'),
    "event over the line limit": lambda: 'schema = 1\ntitle = "t"\n\n[[timeline]]\ntime = 2025-02-09T10:00:00Z\n'
    'event = """\n' + "e" * (MAX_LINE + 3) + '"""\n',
    "action after 20,000 rows": lambda: _rendered(large_postmortem(20_000)) + '\n[[actions]]\nid = "AI-009"\n'
    'action = """\n' + "a" * (MAX_PROSE + 7) + '"""\n',
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_pre_scan_says_what_the_normal_reader_says(tmp_path, monkeypatch, case):
    text = CASES[case]()
    path = _write(tmp_path, text)
    normal = _normal_message(path, monkeypatch)
    assert normal is not None and "more than the" in normal
    got = _prescan_message(path)
    if case == "escapes":  # the length is a lower bound there: said so
        assert got is not None and got.startswith(normal.split(": ")[0] + ": summary: at least ")
        assert f"more than the {MAX_PROSE:,} a text may hold" in got
    else:
        assert got == normal
    with pytest.raises(store.StoreError) as info:
        store.read_model(path)
    assert str(info.value) == got  # and read_model is refused by it


def test_a_20_mb_multi_line_summary_is_refused_by_the_pre_scan(tmp_path):
    text = _raw_summary('"""\n' + LOG * (20_000_000 // len(LOG)) + '"""')
    path = _write(tmp_path, text)
    message = _prescan_message(path)
    assert message is not None
    line = next(n for n, t in enumerate(text.split("\n"), 1) if t.startswith("summary = "))
    assert message == (f"{path}:{line}:11: summary: 20,000,000 characters, more than the {MAX_PROSE:,} a text "
                       "may hold; keep long logs and dumps in evidence files and link them")


OPEN = {
    # a triple quote in a comment opens nothing
    "comment": lambda: '# summary = """\n' + _small_with() + "\n# " + "c" * 10 + "\n" + "# x\n" * (MAX_PROSE // 4),
    # a line that looks like a key inside a '''-literal of a key pmtui does not know
    "inside a literal": lambda: _small_with() + "\nnotes_of_mine = '''\nsummary = \"\"\"\n" + BIG + "'''\n",
    # a key pmtui does not know may hold any length
    "unknown key": lambda: _small_with().replace("schema = 1\n", 'schema = 1\nzzz = """\n' + BIG * 2 + '"""\n'),
    "unknown table": lambda: _small_with() + '\n[zzz]\nsummary = """\n' + BIG * 2 + '"""\n',
    # at the limits
    "at the prose limit": lambda: _small_with(summary="s" * (MAX_PROSE - 1) + "\n"),
    "escapes that shrink it": lambda: _raw_summary('"""\\\n' + " " * (MAX_PROSE + 10) + '\nok"""'),
    # an escaped quote before the closing ones: the string goes on
    "escaped quotes": lambda: _raw_summary('"""' + "q" * 50 + '\\"""' + "q" * (MAX_LINE * 3) + '"""'),
}


@pytest.mark.parametrize("case", list(OPEN))
def test_the_pre_scan_refuses_nothing_the_normal_reader_opens(tmp_path, monkeypatch, case):
    path = _write(tmp_path, OPEN[case]())
    normal = _normal_message(path, monkeypatch)
    got = _prescan_message(path)
    assert got is None or got == normal
    if case != "escaped quotes":
        assert normal is None  # these files open
        store.load(path)


def test_a_quote_escaped_in_the_body_does_not_end_it(tmp_path, monkeypatch):
    body = "x" * 10 + '\\"""' + "y" * (MAX_PROSE + 20)
    path = _write(tmp_path, _raw_summary('"""' + body + '"""'))
    normal = _normal_message(path, monkeypatch)
    assert normal is not None and "summary: " in normal
    got = _prescan_message(path)
    assert got is not None and "summary: at least " in got and f"than the {MAX_PROSE:,}" in got
