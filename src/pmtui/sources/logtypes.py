"""What a log stream's templating keeps (logsig fills them; SourceResult
carries them): plain data, in a module of its own so the sources' base
types can name them without importing logsig."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Signature:
    template: str  # masked, redacted, terminal-safe
    message: str  # the short quote for a timeline row
    level: str  # debug | info | warn | error | critical | fatal | panic | ignore
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    example: str = ""  # the first line seen, redacted and terminal-safe
    first_line: int = 0  # 1-based line number of the first occurrence in its stream (0: unknown)
    baseline: int = 0  # occurrences before the baseline's end
    minutes: dict[str, int] = field(default_factory=dict)  # "YYYY-MM-DDTHH:MM" -> lines
    _first_key: bytes = b""
    _last_key: bytes = b""


@dataclass
class LogSummary:
    bytes_read: int = 0
    error_lines: int = 0  # in the window
    lines: int = 0  # lines templated in the window (all of them with all_lines)
    signatures: list[Signature] = field(default_factory=list)
    overflow: int = 0  # lines past the template limit, counted only
    first_seen: datetime | None = None  # earliest time read in the window
    last_seen: datetime | None = None
    past_window: bool = False  # the log went on past the window end
    stream: str = ""  # "pod/api-1 api", "file app.log"...: where the lines came from
    source: str = ""  # the candidate source text: "kubernetes: pod/api-1 api"
    evidence: str = ""  # the evidence id holding these lines (line numbers refer to it)
    all_lines: bool = False  # every line templated (new templates can be told), or error lines only
    template_of_line: list[str] = field(default_factory=list)  # with assign=True: each line's template
