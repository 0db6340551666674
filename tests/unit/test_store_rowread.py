"""The sliced [[timeline]] reader (store.rowread) against the general
reader: the same model, the same problems on the same lines, and the same
line index as a whole-file scan, whatever the layout and wherever a slice
ends."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui import store
from pmtui.sample import many_events
from pmtui.store.read import Reader
from pmtui.store.scan import scan


def layout(index) -> tuple:
    return index.ok, list(index.lines), [seg.layout() for seg in index.segments]


def read_both(text: str, slice_size: int):
    """(model, index layout) from the sliced reader and from the general
    one, or the problems each raised."""
    out = []
    for whole in (False, True):
        try:
            reader = Reader(text, slice_size=slice_size, whole=whole)
            reader.read_all()
            doc = reader.finish()
            out.append(("ok", doc.pm, layout(doc._index)))
        except store.StoreError as exc:
            out.append(("error", [(p.line, p.column, p.field, p.message) for p in exc.problems], None))
    return out


CANONICAL = ('[[timeline]]\ntime = 2025-02-09T10:05:{s:02d}Z\nevent = "row {s} \\"q\\" naïve"\nsource = "app"\n'
             'kind = "action"\n')

odd_block = st.sampled_from([
    '[[timeline]]\ntime = 2025-02-09T10:06:00Z\nevent = "has a comment"  # here\n',
    '[[timeline]]\n# above the time\ntime = 2025-02-09T10:06:01Z\nevent = "comment inside"\n',
    '[[timeline]]\nevent = "keys in another order"\ntime = 2025-02-09T10:06:02Z\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:03Z\nevent = """multi\n'
    '[[timeline]]\ntime = 2025-02-09T10:06:04Z\nevent = "fake"\n"""\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:05Z\nevent = "unknown key"\nextra = [1, 2]\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:06Z\nevent = "a sub-table"\n[timeline.details]\nx = 1\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:07Z\nevent = "unknown kind"\nkind = "typo"\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:08Z\nevent = "empty kind"\nkind = ""\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:09+02:00\nevent = "an offset"\n',
    '[[timeline]]\ntime = 2025-02-30T10:06:10Z\nevent = "no such day"\n',
    '[[timeline]]\nevent = "no time"\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:11Z\nevent = "bad \\ud800"\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:12Z\nevent = "mentions [[timeline]] in text"\n',
    '[[timeline]]\ntime = 2025-02-09T10:06:13Z\nevent = "dup"\nevent = "dup"\n',
    '[[timeline]]  # a header comment\ntime = 2025-02-09T10:06:14Z\nevent = "x"\n',
    '# a comment between rows\n',
    '\n\n',
    '[impact]\ndescription = "a table among the rows"\n',
    '[[whys]]\nid = "W1"\ntext = "an array among the rows"\n',
])


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(st.one_of(st.integers(0, 59).map(lambda s: CANONICAL.format(s=s) + "\n"), odd_block),
                   min_size=1, max_size=12),
    tail=st.sampled_from(["", "\n# Five whys\n[[whys]]\nid = \"W1\"\ntext = \"t\"\n",
                          "[times]\nstarted = 2025-02-09T10:00:00Z\n"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    slice_size=st.sampled_from([1, 40, 200, 1 << 18]),
)
def test_sliced_reader_agrees_with_the_general_reader(parts, tail, newline, final_newline, slice_size):
    text = 'schema = 1\ntitle = "t"\n\n# [[timeline]]\n' + "".join(parts) + tail
    if not final_newline:
        text = text.rstrip("\n")
    text = text.replace("\n", newline)
    sliced, whole = read_both(text, slice_size)
    assert sliced[0] == whole[0], (sliced, whole)
    assert sliced[1] == whole[1]
    if sliced[0] == "ok":
        assert sliced[2] == whole[2] == layout(scan(text))
        try:
            expected = tomllib.loads(text).get("timeline", [])
        except tomllib.TOMLDecodeError:
            pytest.fail("read a file tomllib refuses")
        assert len(sliced[1].timeline) == len(expected)


def test_big_file_reads_in_slices_with_the_index_of_a_whole_scan(tmp_path):
    path = tmp_path / "pm.toml"
    store.save(store.new_document(many_events(5_000), path))
    text = path.read_text(encoding="utf-8")
    reader = Reader(text, slice_size=10_000)
    steps = 0
    while not reader.done:
        assert reader.step() > 0
        steps += 1
    doc = reader.finish()
    assert steps > 10
    assert doc.pm == store.loads(text).pm == many_events(5_000)
    assert layout(doc._index) == layout(scan(text))
    assert store.read_model(path) == doc.pm


def test_problem_in_a_fast_row_is_placed_on_its_line():
    rows = "".join(CANONICAL.format(s=s) + "\n" for s in range(30))
    bad = rows.replace('event = "row 17 \\"q\\" naïve"\nsource = "app"\nkind = "action"',
                       'event = "row 17 \\"q\\" naïve"\nsource = "app"\nkind = "urgent"')
    text = 'schema = 1\n\n' + bad
    with pytest.raises(store.StoreError) as err:
        Reader(text, slice_size=100).finish()
    (problem,) = err.value.problems
    assert problem.field == "timeline[17].kind"
    assert text.split("\n")[problem.line - 1] == 'kind = "urgent"'


def test_the_fast_reader_takes_only_the_years_the_checks_allow():
    import re

    from pmtui.store.rowread import _YEAR
    from pmtui.store.validate import YEARS

    allowed = {y for y in range(0, 10_000) if re.fullmatch(_YEAR, f"{y:04d}")}
    assert allowed == set(range(YEARS[0], YEARS[1] + 1))
    text = "schema = 1\n\n" + CANONICAL.format(s=1).replace("2025-02-09", "1899-12-31")
    with pytest.raises(store.StoreError) as err:
        Reader(text).finish()
    assert "out of range" in str(err.value)


def test_rows_with_a_key_flag_and_evidence_are_read_fast_and_the_same():
    rows = "".join(
        CANONICAL.format(s=s)
        + ("key = true\n" if s % 3 == 0 else "")
        + (f'evidence = ["E{s}", "logs/api.log#L{s}", "q \\"x\\" \\u00e9"]\n' if s % 2 == 0 else "")
        + "\n"
        for s in range(40)
    )
    text = "schema = 1\n\n" + rows
    fast = Reader(text, slice_size=300)
    assert fast._rows is not None
    fast.read_all()
    assert not fast._general  # no slice left to tomllib
    doc = fast.finish()
    whole = Reader(text, whole=True).finish()
    assert doc.pm == whole.pm
    assert layout(doc._index) == layout(scan(text))
    assert doc.pm.timeline[0].key and doc.pm.timeline[0].evidence == ["E0", "logs/api.log#L0", 'q "x" é']
    assert not doc.pm.timeline[1].key and doc.pm.timeline[1].evidence == []


def test_editing_the_key_flag_and_evidence_of_a_fast_row_splices_its_lines():
    rows = "".join(CANONICAL.format(s=s) + ("key = true\nevidence = [\"E1\"]\n" if s == 3 else "") + "\n"
                   for s in range(10))
    text = "schema = 1\n\n" + rows
    doc = store.loads(text)
    ev = doc.pm.timeline[3]
    ev.key = False
    ev.evidence.append("E2#L7")
    doc.pm.timeline[5].key = True
    out = store.dumps(doc)
    assert out.count("key = true") == 1 and 'evidence = ["E1", "E2#L7"]' in out
    assert "key = false" in out  # an existing key keeps its line, its value changed
    again = store.loads(out).pm
    assert again.timeline == doc.pm.timeline
    assert layout(doc._index) == layout(scan(out))


@pytest.mark.parametrize("quote", ['"""', "'''"])
@pytest.mark.parametrize("then_rows", [False, True])
def test_a_row_header_inside_a_multi_line_string_stays_in_the_string(tmp_path, quote, then_rows):
    """A description holding a line `[[timeline]]` is text, not rows: the
    sliced reader once took it for the start of the rows, so the file
    failed to open ("missing `event`", found by hypothesis), or, with a
    whole row in the string, opened with a row too many and the
    description cut."""
    inner = '\n[[timeline]]\ntime = 2025-01-01T00:00:00Z\nevent = "not a row"\n[times]\n'
    text = f'schema = 1\ntitle = "t"\n\n[impact]\ndescription = {quote}{inner}{quote}\n'
    if then_rows:
        text += "\n" + "".join(CANONICAL.format(s=s) for s in range(3))
    want = tomllib.loads(text)
    (p := tmp_path / "pm.toml").write_text(text, encoding="utf-8")
    for doc in (store.loads(text), store.load(p), store.Loading(p).finish()):
        assert doc.pm.impact.description == want["impact"]["description"]
        assert [r.event for r in doc.pm.timeline] == [r["event"] for r in want.get("timeline", [])]
        assert store.dumps(doc) == text
