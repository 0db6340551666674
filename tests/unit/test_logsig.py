from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from pmtui.redact import Redactor
from pmtui.sources.base import Window
from pmtui.sources.logsig import ERROR_PATTERN, SignatureScanner, candidates, mask, scan_file
from pmtui.textsafe import printable

T0 = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)


def stamp(t: datetime, nanos: str = "") -> bytes:
    """Go's RFC3339Nano: the fraction trimmed of trailing zeros."""
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    frac = (f"{t.microsecond:06d}" + nanos).rstrip("0")
    return (text + ("." + frac if frac else "") + "Z").encode()


def log_lines(n: int, *, every: int = 7, start: datetime = T0, step: float = 1.0) -> list[bytes]:
    out = []
    for i in range(n):
        t = start + timedelta(seconds=i * step)
        if i % every == 3:
            body = f'level=error msg="connection pool exhausted" pool=orders waited={i % 900}ms req={i * 7919:08x}'
        elif i % every == 5:
            body = (f'{{"level":"error","msg":"upstream timeout","host":"10.0.{i % 250}.{i % 7 + 1}:8080",'
                    f'"after":"{i % 9}.5s"}}')
        else:
            body = f'level=info msg="handled request" path=/api/v1/orders/{i} status=200 dur={i % 50}.1ms'
        out.append(stamp(t) + b" " + body.encode())
    return out


def feed_in_pieces(lines: list[bytes], window: Window | None, piece: int, **kw):
    data = b"\n".join(lines) + b"\n"
    sc = SignatureScanner(window, chunk_size=4096, **kw)
    for i in range(0, len(data), piece):
        if not sc.feed(data[i : i + piece]):
            break
    return sc.close()


@pytest.mark.parametrize("engine", ["aho-corasick", "find"])
@pytest.mark.parametrize("piece", [1, 100, 4096, 1 << 20])
def test_templates_counts_and_times_whatever_the_pieces(engine, piece):
    lines = log_lines(2000)
    s = feed_in_pieces(lines, None, piece if piece > 1 else 997, engine=engine)
    assert s.error_lines == sum(1 for i in range(2000) if i % 7 in (3, 5))
    by_msg = {g.message: g for g in s.signatures}
    assert set(by_msg) == {"connection pool exhausted", "upstream timeout"}
    pool = by_msg["connection pool exhausted"]
    assert pool.template == 'level=error msg="connection pool exhausted" pool=<*> waited=<*> req=<*>'
    assert pool.count == len(range(3, 2000, 7))
    assert pool.first == T0 + timedelta(seconds=3) and pool.last == T0 + timedelta(seconds=1998)
    up = by_msg["upstream timeout"]
    assert up.template == '{"level":"error","msg":"upstream timeout","host":<*>,"after":<*>}'


def test_window_filters_by_line_time_including_fractions_and_edges():
    start = T0 + timedelta(seconds=100.25)
    end = T0 + timedelta(seconds=1500.75)
    lines = log_lines(2000, step=0.25)  # fractions: .25, .5, .75 and whole seconds
    s = feed_in_pieces(lines, Window(start, end), 3000)
    times = [T0 + timedelta(seconds=i * 0.25) for i in range(2000) if i % 7 in (3, 5)]
    inside = [t for t in times if start <= t <= end]
    assert s.error_lines == len(inside)
    assert min(g.first for g in s.signatures) == inside[0]
    assert max(g.last for g in s.signatures) == inside[-1]
    assert s.first_seen == start and s.last_seen <= end


def test_nanosecond_stamps_and_trimmed_fractions_compare_as_times():
    lines = [
        stamp(T0, "") + b" ERROR a",  # 10:00:00Z
        b"2025-02-09T10:00:00.5Z ERROR b",
        b"2025-02-09T10:00:00.123456789Z ERROR c",
        b"2025-02-09T10:00:01Z ERROR d",
    ]
    s = feed_in_pieces(lines, Window(T0 + timedelta(microseconds=123456), T0 + timedelta(seconds=1)), 50)
    assert s.error_lines == 3  # b, c and d; a is before the window
    assert s.signatures[0].first == T0 + timedelta(microseconds=123456)


def test_past_the_window_end_the_scanner_says_stop():
    lines = log_lines(50_000)
    data = b"\n".join(lines) + b"\n"
    sc = SignatureScanner(Window(T0, T0 + timedelta(seconds=60)), chunk_size=1 << 16)
    fed = 0
    for i in range(0, len(data), 1 << 14):
        fed += 1
        if not sc.feed(data[i : i + (1 << 14)]):
            break
    assert fed * (1 << 14) < len(data) / 10
    s = sc.close()
    assert s.past_window and s.error_lines == sum(1 for i in range(61) if i % 7 in (3, 5))


def test_quiet_levels_that_mention_errors_are_not_error_lines():
    lines = [
        b'2025-02-09T10:00:00Z level=info msg="retry succeeded after error" attempt=2',
        b'2025-02-09T10:00:01Z {"level":"debug","msg":"no error"}',
        b'2025-02-09T10:00:02Z level=warn msg="error budget low"',
        b'2025-02-09T10:00:03Z 10.0.0.1 - - "GET / HTTP/1.1" 503 0 2ms',
        b'2025-02-09T10:00:04Z 10.0.0.1 - - "GET / HTTP/1.1" 200 0 2ms',
        b"2025-02-09T10:00:05Z status=200 path=/5",
    ]
    s = feed_in_pieces(lines, None, 1000)
    assert sorted(g.template for g in s.signatures) == [
        '<*> - - "<*>" <*> <*> <*>',
        'level=warn msg="error budget low"',
    ]


def test_lines_without_a_time_take_the_time_before_them():
    lines = [
        b"2025-02-09T10:00:00Z panic: runtime error: invalid memory address",
        b"goroutine 1 [running]: main.main() Exception in handler",
    ]
    s = feed_in_pieces(lines, None, 1000)
    assert all(g.first == T0 for g in s.signatures) and s.error_lines == 2


def test_mask():
    line = "req 8f14e45f-ceea-467f-a0e6-5c0f1a2b3c4d from 10.1.2.3:443 took 1m30.5s at 2025-02-09T10:05:23.1Z"
    assert mask(line) == "req <*> from <*> took <*> at <*>"
    assert mask("pod api-7d9f8b6c5-x2x4z sha 0xdeadbeef12 n=42 v1 http2") == "pod <*> sha <*> n=<*> v1 http2"
    # One field, one shape, whatever its value; variables without digits too.
    assert mask("id 3") == mask("id 188978561024") == "id <*>"
    assert mask("block blk_-1608999687919862906 ok") == mask("block blk_7503483334202473044 ok")
    assert mask("GET /api/orders on Monday from db.shop.svc as a@b.io") == "<*> <*> on <*> from <*> as <*>"
    assert mask("order_6f1d2c3a-1111-4222-8333-444455556666 done") == "<*> done"


HOSTILE = [
    b"\x1b[31mERROR\x1b[0m red \x1b]52;c;aGVsbG8=\x07 \x1b]0;title\x07 end",
    b"ERROR [bold red]markup[/] and an unbalanced [/]",
    b"ERROR nul \x00 bel \x07 bs \x08 rlo \xe2\x80\xae cr \r del \x7f c1 \xc2\x9b",
    b"ERROR invalid utf-8 \xff\xfe\xc3\x28",
    b"ERROR " + b"x" * 100_000,
    b"ERROR password=hunter2 Authorization: Bearer abcdefgh12345678 ghp_aaaa" + b"Zq8xK2mP9vL4nR7tY3wB6cJ1hF5dG0sA",
]


def test_hostile_lines_make_safe_templates_and_candidates():
    lines = [stamp(T0 + timedelta(seconds=i)) + b" " + h for i, h in enumerate(HOSTILE)]
    s = feed_in_pieces(lines, None, 777, redactor=Redactor())
    assert s.error_lines == len(HOSTILE)
    texts = [g.template for g in s.signatures] + [g.example for g in s.signatures] + [g.message for g in s.signatures]
    texts += [c.event for c in candidates(s, "kubernetes: pod/x")]
    for text in texts:
        assert printable(text) == text
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text)
        assert len(text) <= 500
        for secret in ("hunter2", "abcdefgh12345678", "ghp_aaaa"):
            assert secret not in text
    assert any("[bold red]markup[/]" in t for t in texts)  # brackets stay plain text


def test_template_table_is_bounded():
    lines = [stamp(T0 + timedelta(seconds=i))
             + f" ERROR unique-word-{'abcdefghij'[i % 10]}{chr(97 + i // 10 % 26)}{chr(97 + i // 260 % 26)}".encode()
             for i in range(3000)]
    s = feed_in_pieces(lines, None, 5000, max_templates=50)
    assert len(s.signatures) == 50 and s.overflow == 3000 - sum(g.count for g in s.signatures) > 0


def test_candidates_read_like_timeline_rows():
    lines = log_lines(700)
    s = feed_in_pieces(lines, None, 10_000)
    rows = candidates(s, "kubernetes: pod/api-1 api", evidence="ev1")
    assert [c.event for c in rows] == [
        "first 'connection pool exhausted' error \u2014 \u00d7100 until 10:11:36",
        "first 'upstream timeout' error \u2014 \u00d7100 until 10:11:38",
    ]
    assert rows[0].time == T0 + timedelta(seconds=3) and rows[0].evidence == "ev1#L4" and rows[0].kind == "symptom"


def test_same_lines_as_grep(tmp_path):
    path = tmp_path / "pod.log"
    lines = [
        *log_lines(5000),
        b"2025-02-09T11:30:00Z plain Exception text",
        b"2025-02-09T11:30:01Z " + b'"status":503,"x":1',
        b"2025-02-09T11:30:02Z fatal error: concurrent map writes",
        b"2025-02-09T11:30:03Z ERROR " + b"x" * 20_000,  # longer than the read buffer
        b"2025-02-09T11:30:04Z level=info msg=ok",
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    grep = subprocess.run(["grep", "-cE", ERROR_PATTERN, str(path)], capture_output=True, text=True, check=True)
    s = scan_file(path, None, chunk_size=8192)
    assert s.error_lines == int(grep.stdout) == (
        5000 // 7 * 2 + 4 + (1 if 5000 % 7 > 5 else 0) + (1 if 5000 % 7 > 3 else 0))
    assert s.bytes_read == path.stat().st_size
