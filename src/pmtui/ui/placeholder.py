"""What a pane that a later piece of work fills shows until it lands:
what it will hold and how to get the same result today."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

PLANS = {
    "overview": (
        "Incident metadata, times, summary, impact, trigger and root cause.",
        "Edit the top of the post-mortem's TOML file.",
    ),
    "collect": (
        "Collect the incident window's data: Prometheus metrics, Alertmanager alerts, "
        "Kubernetes logs and events, saved as evidence beside the file with candidate "
        "timeline events and the gaps found.",
        "From a shell: pmtui collect FILE. Evidence lands in FILE.evidence/; press 3 "
        "to see the timeline.",
    ),
    "timeline": (
        "The chronological timeline of the incident, in UTC.",
        "Edit the [[timeline]] tables of the TOML file.",
    ),
    "analysis": (
        "The five whys as a tree, contributing factors by category and the systemic issues.",
        "Edit [[whys]], [[factors]] and systemic_issues in the TOML file; pmtui check FILE "
        "says whether the analysis goes deep enough.",
    ),
    "actions": (
        "Action items with owner, deadline, priority and status, exported to GitHub issues.",
        "Edit [[actions]] in the TOML file; pmtui export FILE creates the issues.",
    ),
    "report": (
        "The Markdown report, rendered as it will be shared, with the checklist beside it.",
        "From a shell: pmtui report FILE -o report.md and pmtui check FILE.",
    ),
}


class PlaceholderPane(Widget):
    DEFAULT_CSS = """
    PlaceholderPane { padding: 1 2; }
    PlaceholderPane .placeholder--title { text-style: bold; color: $primary; }
    PlaceholderPane .placeholder--body { margin-top: 1; }
    PlaceholderPane .placeholder--how { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, name: str, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pane_name = name
        self.pane_title = title

    def compose(self) -> ComposeResult:
        holds, how = PLANS.get(self.pane_name, ("", ""))
        with VerticalScroll():
            yield Static(Text(f"{self.pane_title} — coming in a later version"), classes="placeholder--title")
            yield Static(Text(f"This pane will hold: {holds}"), classes="placeholder--body")
            yield Static(Text(f"Until then: {how}"), classes="placeholder--how")
