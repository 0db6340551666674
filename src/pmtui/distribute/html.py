"""The report as one self-contained HTML page, for email or a wiki paste:
the team's template rendered by markdown-it-py (GFM tables), plus the
five-whys tree and two charts (the incident's phases, events over time)
drawn as inline SVG. No external assets (no stylesheet, script, font or
image is fetched), and all outside text is escaped: markdown-it runs with
raw HTML off, so a `<script>` typed in a summary arrives as text, and
everything this module writes itself goes through html.escape.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from pmtui.model import EVENT_KINDS, PostMortem, Why, format_duration
from pmtui.redact import redact
from pmtui.team import templates
from pmtui.team.config import TeamConfig
from pmtui.timeparse import format_utc

_CSS = """
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #d1d9e0; padding: 4px 10px; }
th { background: #f6f8fa; text-align: left; } tr:nth-child(2n) td { background: #f6f8fa; }
code { background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
.pmtui-figures figure { margin: 1.5em 0; } figcaption { color: #59636e; font-size: 13px; }
.pmtui-whys ul { list-style: none; padding-left: 1.2em; border-left: 2px solid #d1d9e0; margin: .2em 0; }
.pmtui-whys li { margin: .2em 0; } .pmtui-whys .id { color: #59636e; font-size: 12px; margin-right: .4em; }
"""
_PHASE_COLOURS = ("#cf222e", "#bc4c00", "#9a6700")
_KIND_COLOURS = {"symptom": "#cf222e", "detection": "#bc4c00", "escalation": "#8250df", "action": "#0969da",
                 "mitigation": "#1a7f37", "resolution": "#116329", "communication": "#59636e", "other": "#818b98"}


def _md() -> object:
    from markdown_it import MarkdownIt

    # Raw HTML off: every tag in the source becomes text. Linkify off too:
    # only links the report writes are links.
    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def _t(text: str) -> str:
    return escape(redact(text), quote=True)


def phases_svg(pm: PostMortem, width: int = 640) -> str:
    """Start -> detected -> mitigated -> resolved as three stacked bars."""
    t = pm.times
    points = [("detect", t.started, t.detected), ("mitigate", t.detected, t.mitigated),
              ("resolve", t.mitigated, t.resolved)]
    spans = [(name, a, b) for name, a, b in points if a is not None and b is not None and b >= a]
    if t.started is None or not spans:
        return ""
    total = max((b - t.started).total_seconds() for _n, _a, b in spans) or 1.0
    bars = []
    for i, (name, a, b) in enumerate(spans):
        x = 110 + (a - t.started).total_seconds() / total * (width - 130)
        w = max(2.0, (b - a).total_seconds() / total * (width - 130))
        y = 10 + i * 28
        label = f"time to {name}: {format_duration(b - t.started)}"
        bars.append(f'<text x="4" y="{y + 15}" font-size="12">{escape(name)}</text>'
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{_PHASE_COLOURS[i]}">'
                    f"<title>{escape(label)}</title></rect>")
    height = 20 + len(spans) * 28
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="incident phases">{"".join(bars)}</svg>')


def events_svg(pm: PostMortem, width: int = 640, height: int = 120) -> str:
    """Each timeline event as a tick on a time axis, coloured by kind."""
    times = [ev.time for ev in pm.timeline if ev.time is not None]
    if len(times) < 2:
        return ""
    lo, hi = min(times), max(times)
    span = (hi - lo).total_seconds() or 1.0
    kinds = [k for k in EVENT_KINDS if any(ev.kind == k for ev in pm.timeline)]
    row = {k: i for i, k in enumerate(kinds)}
    step = max(10, (height - 30) // max(1, len(kinds)))
    marks = []
    for k, i in row.items():
        marks.append(f'<text x="4" y="{20 + i * step + 4}" font-size="11">{escape(k)}</text>')
    for ev in sorted(pm.timeline, key=lambda e: e.time):
        x = 100 + (ev.time - lo).total_seconds() / span * (width - 110)
        y = 20 + row.get(ev.kind, 0) * step
        marks.append(f'<circle cx="{x:.1f}" cy="{y}" r="4" fill="{_KIND_COLOURS.get(ev.kind, "#818b98")}">'
                     f"<title>{_t(format_utc(ev.time))} {_t(ev.event)}</title></circle>")
    h = 30 + len(kinds) * step
    axis = (f'<text x="100" y="{h - 4}" font-size="11">{escape(format_utc(lo, seconds=False))}</text>'
            f'<text x="{width - 4}" y="{h - 4}" font-size="11" text-anchor="end">'
            f"{escape(format_utc(hi, seconds=False))}</text>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
            f'aria-label="timeline events">{"".join(marks)}{axis}</svg>')


def whys_tree(pm: PostMortem) -> str:
    by_parent: dict[str, list[Why]] = {}
    for w in pm.whys:
        by_parent.setdefault(w.parent, []).append(w)

    def branch(parent: str, seen: frozenset[str]) -> str:
        kids = [w for w in by_parent.get(parent, []) if w.id not in seen]
        if not kids:
            return ""
        items = "".join(f'<li><span class="id">{_t(w.id)}</span>{_t(w.text)}{branch(w.id, seen | {w.id})}</li>'
                        for w in kids)
        return f"<ul>{items}</ul>"

    tree = branch("", frozenset())
    if not tree:
        return ""
    problem = f"<p><strong>Problem</strong>: {_t(pm.problem)}</p>" if pm.problem.strip() else ""
    return f'<div class="pmtui-whys">{problem}{tree}</div>'


def render(pm: PostMortem, team: TeamConfig | None = None, *, generated: datetime | None = None) -> str:
    team = team or TeamConfig()
    body = _md().render(templates.render(pm, team))  # type: ignore[attr-defined]
    figures = []
    for caption, svg in (("Incident phases (from the start)", phases_svg(pm)),
                         ("Timeline events by kind (UTC)", events_svg(pm))):
        if svg:
            figures.append(f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>")
    tree = whys_tree(pm)
    if tree:
        figures.append(f"<figure>{tree}<figcaption>Five whys, as a tree</figcaption></figure>")
    extra = f'<section class="pmtui-figures"><h2>Figures</h2>{"".join(figures)}</section>' if figures else ""
    stamp = f" on {escape(format_utc(generated, seconds=False))} UTC" if generated else ""
    title = _t(pm.title or "Post-mortem")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>Post-mortem: {title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"{body}{extra}\n<footer><p><small>Written by pmtui{stamp}.</small></p></footer>\n</body>\n</html>\n")
