"""The all-lines scanner caches templates by a line's shape (digit runs
replaced): two lines share a shape only when the masker gives them the
same template, so the shape changes no line's group. Checked line by line
against group_lines (which masks every line whose digit-free text it has
not seen), on the labelled corpus of 15 real formats and on lines made to
tempt the shape into a wrong merge (technical words, key names, numeric
levels, escape sequences, trailing punctuation, hex ids)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pmtui.sources.logsig import SignatureScanner, group_lines, shapes

CORPUS = Path(__file__).resolve().parents[1] / "data" / "logcorpus" / "corpus.jsonl"
TEMPTING = [
    "s3 upload failed", "s4 upload failed", "S3 upload failed", "http2 stream reset", "http3 stream reset",
    "HTTP2 stream reset", "tls1.2 handshake done", "tls1.3 handshake done", "tls1.4 handshake done",
    "api v1 ready", "api v2 ready", "api V1 ready", "api v7 ready", "open(3) failed", "close(4) failed",
    "shard2=eu value", "shard3=eu value", "level=3 disk slow", "level=4 disk slow", 'lvl="5" disk slow',
    "\x1b[31mred alert\x1b[0m", "\x1b[32mgreen light\x1b[0m",
    "\x1b[31mfoo done", "\x1b[32mbar done", "took 3. next", "took 4: next", "took 5- next",
    "x86_64 build ok", "x86_65 build ok", "utf-8 decode ok", "utf-9 decode ok", "e2e run", "e3e run",
    "req=1f3a9c7d status=200", "req=ab12cd34 status=500", "item 'a1' missing", "item 'b2' missing",
    '{"level":"info","p99":3}', '{"level":"info","p50":3}', "user@host1 login", "user@host2 login",
    "sha256 mismatch", "sha257 mismatch", "a11y check", "a12y check", "1st try", "5th try",
]


def _stamped(texts: list[str]) -> bytes:
    start = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
    out = []
    for i, text in enumerate(texts):
        when = start + timedelta(milliseconds=137 * i)
        out.append(when.strftime("%Y-%m-%dT%H:%M:%S.%f").encode() + b"417Z " + text.encode())
    return b"\n".join(out) + b"\n"


def _scan(texts: list[str], *, all_lines: bool = True) -> list[str]:
    scanner = SignatureScanner(all_lines=all_lines, assign=True, max_templates=100_000)
    data = _stamped(texts)
    for i in range(0, len(data), 4096):  # in pieces, as a stream arrives
        scanner.feed(data[i : i + 4096])
    summary = scanner.close()
    return [sig_template for sig_template in summary.template_of_line]


def _same_grouping(texts: list[str], *, all_lines: bool = True) -> None:
    """Every line lands in the template group_lines gives it."""
    groups = _scan(texts, all_lines=all_lines)
    reference = group_lines([(None, t) for t in texts], assign=True, max_templates=100_000).template_of_line
    assert len(groups) == len(reference) == len(texts)
    wrong = [(t, g, r) for t, g, r in zip(texts, groups, reference, strict=True) if g != r]
    assert not wrong, wrong[:5]


def test_tempting_lines_keep_their_own_templates():
    _same_grouping(TEMPTING * 3)


def test_error_lines_are_shaped_alike():
    # The error-only scan (the default) looks new error lines up by shape too.
    _same_grouping([f"ERROR {t}" for t in TEMPTING if "info" not in t] * 2, all_lines=False)


def test_the_labelled_corpus_groups_as_the_masker_does():
    texts = [json.loads(line)["line"] for line in CORPUS.read_text().splitlines() if line.strip()]
    texts = [t for t in texts if "\n" not in t]
    _same_grouping(texts)


def test_shapes_keep_one_item_per_line_and_what_the_masker_keeps():
    data = b"a v1 b\nreq=1f3a status=200 dur=3.2ms\nshard2=x\n\n"
    got = shapes(data)
    assert len(got) == len(data.split(b"\n"))
    assert got[1] == b"req=\x00 status=\x00 dur=\x00"
    assert got[2] == b"shard2=x"
    assert b"1" not in got[0] and got[0] != b"a v\x00 b"
