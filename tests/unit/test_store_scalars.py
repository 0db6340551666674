"""The fast [[timeline]] reader's other values (store.scalar): what it
reads, it reads as tomllib does; what tomllib refuses, it leaves to
tomllib (whose error then names the line)."""

from __future__ import annotations

import math
import time
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import store
from pmtui.store.scan import ARRAY, scan

SCALARS = [
    "true", "false", "0", "-0", "+7", "1_000", "0x_1", "0xDEAD_beef", "0o17", "0b1010", "01", "1__0", "1_",
    "1.5", "-0.0", "1e05", "1E+3", "6.626e-34", "1.", ".5", "1.e5", "inf", "-inf", "+nan", "nan", "infinity",
    "'lit'", "''", "'a\"b'", "'tab\there'", "2025-02-09", "2025-02-30", "2025-13-01", "10:05:23", "24:00:00",
    "10:05:23.123456789", "2025-02-09T10:05:23", "2025-02-09 10:05:23.5", "2025-02-09t10:05:23",
    "2025-02-09T10:05:23+01:00", "2025-02-09T10:05:23z", '"s"', '"\\u00e9"', '"\\ud800"', "TRUE", "1979-05-27T7:32:00",
]
SHAPES = st.one_of(
    st.sampled_from(SCALARS),
    st.lists(st.sampled_from(SCALARS), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(st.sampled_from(SCALARS), min_size=1, max_size=3).map(lambda xs: "[" + ",".join(xs) + ",]"),
    st.lists(st.tuples(st.sampled_from(["a", "b", "key", "x-1"]), st.sampled_from(SCALARS)), max_size=3).map(
        lambda kv: "{ " + ", ".join(f"{k} = {v}" for k, v in kv) + " }"),
    st.sampled_from(["[]", "[ ]", "{}", "[,]", "{ a = 1, }", "[[1]]", "{ a.b = 1 }", "[1 2]", "[ 'a' , \"b\" ]"]),
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=600, deadline=None)
@given(value=SHAPES)
def test_other_values_are_read_as_tomllib_reads_them(value):
    text = f'schema = 1\n[[timeline]]\ntime = 2025-02-09T10:05:23Z\nextra = {value}  # note\nevent = "e"\n'
    fast = [s for s in scan(text).segments if s.kind == ARRAY and s.fast is not None]
    try:
        expected = tomllib.loads(text)["timeline"][0]["extra"]
    except tomllib.TOMLDecodeError:
        assert not fast, value  # left to tomllib, which words the error
        return
    if fast:
        assert _same(fast[0].fast["extra"], expected), value
        key_line, _end, col, after = fast[0].entries[("extra",)]
        assert text.split("\n")[key_line][col:after] == value  # where a splice rewrites it


def test_rows_holding_a_key_flag_and_evidence_are_read_fast_and_round_trip():
    rows = "".join(f'[[timeline]]\ntime = 2025-02-09T10:{i % 60:02d}:00Z\nevent = "e{i}"\nkey = true\n'
                   f'evidence = ["logs/pod-{i}.log"]\n' for i in range(50))
    text = 'schema = 1\nid = "PM-1"\ntitle = "t"\n' + rows
    index = scan(text)
    assert all(s.fast is not None for s in index.segments if s.kind == ARRAY)
    doc = store.loads(text)
    assert doc.pm.timeline[3].key is True and doc.pm.timeline[3].evidence == ["logs/pod-3.log"]
    assert store.dumps(doc) == text
    doc.pm.timeline[3].event = "edited"
    assert store.dumps(doc) == text.replace('event = "e3"\n', 'event = "edited"\n')


@pytest.mark.parametrize("bad", ['"bad{i}"', "7", "[]", "true", "{ at = 1 }", "2025-02-09", "'literal'", '["a", 1]'])
def test_twenty_thousand_rows_of_other_types_are_refused_fast_with_a_count(tmp_path, bad):
    # '"bad{i}"': a string that is no time, different in every row.
    rows = "".join(f'[[timeline]]\ntime = {bad.replace("{i}", str(i))}\nevent = "e"\n' for i in range(20_000))
    path = tmp_path / "bad.toml"
    path.write_text("schema = 1\n" + rows)
    began = time.perf_counter()
    with pytest.raises(store.StoreError) as info:
        store.load(path)
    took = time.perf_counter() - began
    lines = str(info.value).splitlines()
    assert lines[0].startswith(f"{path}:3:") and "timeline[0].time" in lines[0]
    assert len(lines) == store.MAX_SHOWN + 1
    assert lines[-1] == f"{path}: ... and 19980 more problems (20000 in all)"
    assert took < 3.0  # ~0.15 s here (0.5 s before); benchmarks/bench_store.py has the figures
