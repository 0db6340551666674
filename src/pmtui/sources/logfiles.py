"""Log files from disk (`--log PATH`, [sources.files] paths): plain text
with timestamps, nginx/Apache access logs, `journalctl -o json`, JSON
lines; gzip or not. Each line gets its UTC time (logformats), the lines
of the window are kept as evidence, and their errors go through the same
signature scanner as pod logs.

Reading is streamed, so memory is the window's lines, not the file; a
time-ordered file is left once 10,000 lines in a row are past the window.
"""

from __future__ import annotations

import contextlib
import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pmtui.model import Gap, LogFileSettings
from pmtui.redact import default_redactor, redact
from pmtui.sources.base import Context, SourceResult
from pmtui.sources.evidence import write_evidence
from pmtui.sources.logformats import NORMALISERS, LineTime, sniff, split_spec
from pmtui.sources.logsig import NO_RULES, Rules, SignatureScanner
from pmtui.textsafe import one_line

SOURCE = "files"
MAX_KEPT = 256 << 20  # bytes of in-window lines kept per file
PAST_END_STOP = 10_000
_CHUNK = 1 << 20


class FileProblem(Exception):
    """The file cannot be read; the message is fit for a gap."""


@dataclass
class Read:
    data: bytes = b""  # the window's lines, normalised
    format: str = "plain"
    lines: int = 0
    kept: int = 0
    timed: int = 0  # lines with a time of their own
    naive: int = 0  # of those, times with no offset (read as UTC)
    cut: bool = False
    stopped_early: bool = False


def _open(path: Path, stack: contextlib.ExitStack) -> IO[bytes]:
    """The file's bytes, gunzipped when it is gzip (whatever its name)."""
    try:
        fh: IO[bytes] = stack.enter_context(path.open("rb"))
    except FileNotFoundError:
        raise FileProblem(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise FileProblem(f"{path.name} is a folder, not a log file") from None
    except OSError as exc:
        raise FileProblem(f"{path.name}: {exc.strerror or exc}") from None
    magic = fh.read(2)
    fh.seek(0)
    if magic == b"\x1f\x8b":
        unzipped: IO[bytes] = stack.enter_context(gzip.GzipFile(fileobj=fh, mode="rb"))  # type: ignore[arg-type]
        return unzipped
    return fh


def _lines(fh: IO[bytes]) -> Iterator[bytes]:
    """Lines without their newline, read in large pieces."""
    rest = b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        chunk = rest + chunk
        parts = chunk.split(b"\n")
        rest = parts.pop()
        for line in parts:
            yield line.rstrip(b"\r")
    if rest:
        yield rest.rstrip(b"\r")


def read_file(path: Path, fmt: str, ctx: Context) -> Read:
    """The window's lines of one file, normalised."""
    window = ctx.window
    lo = LineTime(window.start.year).ns(window.start)
    hi = LineTime(window.end.year).ns(window.end) + 999
    out = Read()
    kept: list[bytes] = []
    size = 0
    times = LineTime(window.start.year)
    try:
        with contextlib.ExitStack() as stack:
            fh = _open(path, stack)
            if fmt == "auto":
                head = fh.read(64 << 10)
                fh.seek(0)
                fmt = sniff(head)
            out.format = fmt
            norm = NORMALISERS[fmt](times)
            inside = False
            past = 0
            for line in _lines(fh):
                out.lines += 1
                if out.lines % 50_000 == 0:
                    ctx.check_cancelled()
                ns, shaped = norm(line)
                if ns is not None:
                    out.timed += 1
                    inside = lo <= ns <= hi
                    past = past + 1 if ns > hi else 0
                    if past >= PAST_END_STOP:
                        out.stopped_early = True
                        break
                if inside:
                    size += len(shaped) + 1
                    if size > MAX_KEPT:
                        out.cut = True
                        break
                    kept.append(shaped)
    except (OSError, EOFError, zlib.error) as exc:
        raise FileProblem(f"{path.name}: cannot read it ({exc})") from None
    out.kept = len(kept)
    out.naive = times.naive
    out.data = b"\n".join(kept) + (b"\n" if kept else b"")
    return out


def collect(settings: LogFileSettings, ctx: Context) -> SourceResult:
    result = SourceResult(SOURCE)
    window = ctx.window
    used: set[str] = set()

    def gap(where: str, text: str) -> None:
        result.gaps.append(Gap(f"{SOURCE}: {where}", one_line(redact(text), 400), window.start, window.end))

    try:
        rules = Rules.of(settings.errors, settings.warnings, settings.ignore, where="[sources.files] ")
    except ValueError as exc:
        result.gaps.append(Gap(SOURCE, one_line(f"{exc}; the default levels are used", 400), window.start,
                               window.end))
        rules = NO_RULES
    specs = [s for s in settings.paths if s.strip()]
    for i, spec in enumerate(specs):
        ctx.check_cancelled()
        fmt, name = split_spec(spec)
        path = Path(name).expanduser()
        path = path if path.is_absolute() else ctx.base_dir / path
        shown = path.name
        ctx.progress(f"log file {shown}", i / max(1, len(specs)))
        try:
            got = read_file(path, fmt, ctx)
        except FileProblem as exc:
            gap(shown, str(exc))
            continue
        stem = shown
        n = 2
        while stem in used:  # two files of the same name from two folders
            stem, n = f"{shown}.{n}", n + 1
        used.add(stem)
        base = stem.removesuffix(".gz")
        evidence_name = "files/" + base + ("" if base.endswith((".log", ".json", ".txt")) else ".log")
        ev = write_evidence(ctx, "logs", SOURCE, evidence_name, got.data,
                            query=f"{spec} ({got.format}; {got.kept} of {got.lines} lines in the window)")
        result.evidence.append(ev)
        scanner = SignatureScanner(window, redactor=default_redactor(), all_lines=True,
                                   baseline_end=ctx.baseline, rules=rules)
        scanner.feed(got.data)
        summary = scanner.close()
        summary.stream, summary.source, summary.evidence = f"file {shown}", f"file: {shown}", ev.id
        result.logs.append(summary)
        if not got.timed and got.lines:
            gap(shown, f"no line of {shown} has a time pmtui can read as {got.format} "
                       "(name the format: plain:, combined:, journal: or jsonl: before the path)")
        elif not got.kept:
            gap(shown, f"{shown} has no line in the window ({got.lines} lines read)")
        if got.naive:
            result.notes.append(f"{shown}: {got.naive} times had no offset and were read as UTC")
        if got.cut:
            gap(shown, f"{shown}: cut at {MAX_KEPT >> 20} MB of lines in the window")
        if summary.overflow:
            gap(shown, f"{shown}: {summary.overflow} error lines fell outside the first "
                       f"{len(summary.signatures)} templates and are only counted")
    ctx.progress("log files: done", 1.0)
    return result
