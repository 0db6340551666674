"""What every source returns: evidence written beside the post-mortem,
candidate timeline events, and the gaps it could not fill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pmtui.model import Evidence, Gap
from pmtui.sources.logtypes import LogSummary

# progress(message, fraction done 0..1 or None when unknown); called from
# the source's own thread.
ProgressFn = Callable[[str, float | None], None]
# cancelled() -> True once the source should stop (checked between requests).
CancelledFn = Callable[[], bool]


@dataclass(frozen=True)
class Window:
    start: datetime  # aware UTC
    end: datetime


@dataclass
class Candidate:
    """A proposed timeline event; the user accepts it into the timeline.

    `key` names the happening the candidate is about, the same whichever
    source saw it (("alert", name, state), ("restart", namespace, pod,
    container), ("log", template), ("rollout", namespace, deployment,
    revision)...); sources.merge joins candidates of one key whose times
    lie within `tolerance` seconds of each other, and nothing else. A
    candidate with no key is only ever joined with an identical one."""

    time: datetime  # aware UTC, at the sample / log line / event time
    event: str
    source: str  # "prometheus", "alertmanager", "kubernetes: pod/api-7d9f", ...
    kind: str = "symptom"  # one of model.EVENT_KINDS
    actor: str = ""
    evidence: str = ""  # reference of the evidence it came from: "ID", "ID#L120", "ID#series=..."
    signal: str = ""  # alert | metric | log | log-new | log-rate | rollout | restart | backoff | event | silence
    confidence: float = 0.5  # 0..1: how sure the source is that this is a real happening
    key: tuple[str, ...] = ()
    tolerance: float = 90.0  # seconds
    refs: list[str] = field(default_factory=list)  # every evidence reference (merge keeps them all)
    sources: list[str] = field(default_factory=list)  # every source that saw it
    also_in: list[str] = field(default_factory=list)  # the other sources, or the timeline row, that say it too
    trigger: bool = False  # the earliest change or new template before the first symptom
    detail: str = ""  # the core words (a log message, an alert name), to match against timeline rows
    precision: int = 1  # how exact `time` is: 3 an API's own time, 2 a log line, 1 a sample or estimate
    # Labels that must not contradict for two candidates of one key to join
    # (an alert's labels: Alertmanager may add external ones, never change one).
    facets: dict[str, str] = field(default_factory=dict)
    # Why a person flagged it at the source ("pinned", ":white_check_mark:"):
    # flagged candidates are ranked first.
    flag: str = ""
    # "detected" or "resolved": accepting it also sets that incident time
    # when the file has none (a PagerDuty acknowledgement, a resolution).
    sets: str = ""

    def __post_init__(self) -> None:
        if self.evidence and not self.refs:
            self.refs = [self.evidence]
        if not self.sources:
            self.sources = [self.source]

    def as_dict(self) -> dict[str, object]:
        return {"time": self.time.isoformat().replace("+00:00", "Z"), "event": self.event,
                "source": self.source, "kind": self.kind, "signal": self.signal,
                "confidence": self.confidence, "trigger": self.trigger, "sources": list(self.sources),
                "also_in": list(self.also_in), "evidence": list(self.refs),
                **{k: getattr(self, k) for k in ("actor", "flag", "sets") if getattr(self, k)}}


def ref(evidence_id: str, *, line: int | None = None, series: str | None = None) -> str:
    """An evidence reference: the evidence id, with the line (logs) or the
    series (metrics) to open it at."""
    if line:
        return f"{evidence_id}#L{line}"
    if series:
        return f"{evidence_id}#series={series}"
    return evidence_id


@dataclass
class SourceResult:
    source: str
    evidence: list[Evidence] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # Log streams, templated (logsig.LogSummary): turned into candidates
    # over every source at once, so one message on many pods is one row.
    logs: list[LogSummary] = field(default_factory=list)
    # What the user may want to know but is no gap in the data ("3 bot
    # messages left out"): shown after a run, not saved.
    notes: list[str] = field(default_factory=list)


class Cancelled(Exception):
    """Raised inside a source when its `cancelled()` callback says stop."""


@dataclass
class Context:
    """Handed to each source: where to write evidence, how to report progress
    and how to know it should stop (the app's worker was cancelled)."""

    window: Window
    evidence_dir: Path  # NAME.evidence/ beside the post-mortem file
    base_dir: Path  # the post-mortem file's folder; evidence paths are relative to it
    progress: ProgressFn = lambda message, fraction: None
    cancelled: CancelledFn = lambda: False
    # the post-mortem file, when known: what is written beside it takes no
    # wider permissions than it has (filesafety.atomic.mode_beside)
    doc_path: Path | None = None
    # Where the baseline (what was normal before the incident) ends: log
    # templates first seen after it are "new". None: the first fifth of the window.
    baseline_end: datetime | None = None

    @property
    def baseline(self) -> datetime:
        return self.baseline_end or self.window.start + (self.window.end - self.window.start) / 5

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise Cancelled()
