"""What every source returns: evidence written beside the post-mortem,
candidate timeline events, and the gaps it could not fill."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pmtui.model import Evidence, Gap

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
    """A proposed timeline event; the user accepts it into the timeline."""

    time: datetime  # aware UTC, at the sample / log line / event time
    event: str
    source: str  # "prometheus", "alertmanager", "kubernetes: pod/api-7d9f", ...
    kind: str = "symptom"  # one of model.EVENT_KINDS
    actor: str = ""
    evidence: str = ""  # id of the evidence record it came from
    # Why a person flagged it at the source ("pinned", ":white_check_mark:"):
    # flagged candidates are ranked first.
    flag: str = ""
    # "detected" or "resolved": accepting it also sets that incident time
    # when the file has none (a PagerDuty acknowledgement, a resolution).
    sets: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"time": self.time.isoformat().replace("+00:00", "Z"), "event": self.event,
               "source": self.source, "kind": self.kind}
        for key in ("actor", "flag", "sets"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class SourceResult:
    source: str
    evidence: list[Evidence] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
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

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise Cancelled()
