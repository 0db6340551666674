"""One piece of evidence, read back from NAME.evidence/: a log or JSON file
as plain lines, a metric as one sparkline per series. The file is read and
its checksum verified in a thread worker, so a 100 MB log never freezes
the screen; only the first MAX_LINES lines are shown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Log, Sparkline, Static
from textual.worker import Worker, WorkerState

from pmtui.model import Evidence
from pmtui.textsafe import one_line, printable
from pmtui.timeparse import format_utc
from pmtui.ui.keys import key_for

MAX_LINES = 20_000
MAX_SERIES = 24


@dataclass
class Loaded:
    checksum_ok: bool
    lines: list[str] = field(default_factory=list)
    truncated: bool = False
    series: list[tuple[str, list[float], str]] = field(default_factory=list)  # label, values, summary
    error: str = ""


def load(evidence: Evidence, base: Path) -> Loaded:
    path = base / evidence.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Loaded(False, error=f"cannot read {evidence.path}: {exc.strerror or exc}")
    ok = hashlib.sha256(data).hexdigest() == evidence.sha256
    if evidence.kind == "metrics":
        try:
            import json

            from pmtui.sources.prometheus import label_text, series_of

            out = Loaded(ok)
            for s in series_of(json.loads(data))[:MAX_SERIES]:
                values = [v for _, v in s.samples if v == v]  # NaN gaps dropped
                if not values:
                    continue
                summary = f"min {min(values):.4g}  max {max(values):.4g}  last {values[-1]:.4g}  ({len(values)} points)"
                out.series.append((label_text(s.labels) or "(no labels)", values, summary))
            return out
        except (ValueError, KeyError, TypeError):
            pass  # not a Prometheus answer after all: show it as text
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    return Loaded(ok, lines=lines[:MAX_LINES], truncated=len(lines) > MAX_LINES)


class EvidenceScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "Close", id="evidence.close")]

    DEFAULT_CSS = """
    EvidenceScreen { align: center middle; }
    EvidenceScreen > Vertical { width: 95%; height: 95%; border: thick $primary; background: $surface; }
    EvidenceScreen #evidence-head { height: auto; padding: 0 1; background: $panel; }
    EvidenceScreen #evidence-body { height: 1fr; }
    EvidenceScreen Log { height: 1fr; }
    EvidenceScreen .series-label { color: $text-primary; margin-top: 1; padding: 0 1; }
    EvidenceScreen Sparkline { height: 3; margin: 0 1; }
    EvidenceScreen .series-summary { color: $text-muted; padding: 0 1; }
    EvidenceScreen .evidence-bad { color: $error; }
    """

    def __init__(self, evidence: Evidence, base: Path) -> None:
        super().__init__()
        self.evidence = evidence
        self.base = base

    def compose(self) -> ComposeResult:
        ev = self.evidence
        window = ""
        if ev.window_start and ev.window_end:
            start, end = format_utc(ev.window_start, seconds=False), format_utc(ev.window_end, seconds=False)
            window = f"  window {start} \u2013 {end}"
        head = Text()
        head.append(f"{ev.kind} from {one_line(ev.source)}: {one_line(ev.path)}", style="bold")
        head.append(f"\n{one_line(ev.query, 300)}" if ev.query else "")
        close = key_for(self, "evidence.close")
        head.append(f"\n{ev.size:,} bytes{window}  sha256 {ev.sha256[:16]}\u2026  ({close} closes)")
        with Vertical():
            yield Static(head, id="evidence-head")
            yield Vertical(Static(Text("Reading…", style="italic")), id="evidence-body")

    def on_mount(self) -> None:
        self.run_worker(lambda: load(self.evidence, self.base), thread=True, name="evidence")

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.SUCCESS:
            return
        loaded = event.worker.result
        if not isinstance(loaded, Loaded):
            return
        body = self.query_one("#evidence-body", Vertical)
        await body.remove_children()
        if loaded.error:
            await body.mount(Static(Text(printable(loaded.error)), classes="evidence-bad"))
            return
        if not loaded.checksum_ok:
            await body.mount(Static(Text("The file no longer matches its recorded sha256: it was changed after "
                                         "collection."), classes="evidence-bad"))
        if loaded.series:
            plots = VerticalScroll()
            await body.mount(plots)
            for label, values, summary in loaded.series:
                await plots.mount(Static(Text(one_line(label, 200)), classes="series-label"))
                await plots.mount(Sparkline(values))
                await plots.mount(Static(Text(summary), classes="series-summary"))
            plots.focus()
            return
        log = Log(highlight=False, max_lines=MAX_LINES + 1)
        await body.mount(log)
        log.write_lines([printable(line) for line in loaded.lines])
        if loaded.truncated:
            log.write_line(f"… only the first {MAX_LINES:,} lines are shown; the whole file is {self.evidence.path}")
        log.focus()
