"""The footer: the keys that work now, whole, in order of importance, and
`? more` when some did not fit.

Textual's Footer lays its keys out in a row that scrolls sideways, so at 80
columns it cuts a key in the middle of its word ("M Mar…") and hides the
rest. This one draws a single line from the same source (the screen's
active bindings: the focused widget's first, then each container's up to
the pane's, then the app's — the order their authors declared them in),
fits as many whole keys as the width allows, and ends with the help key,
labelled "more" when something was left out (the help screen lists every
key). Bindings are read when drawn, so a keymap from the config file, a
pane shown, a focus moved or a binding disabled shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.dom import DOMNode
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from pmtui.ui.keys import bindings_of

GAP = 2  # cells between two keys


@dataclass(frozen=True)
class FooterEntry:
    key: str  # the key as Textual names it (what a click sends)
    display: str  # as shown: ^s, ?, a
    description: str
    enabled: bool
    action: str
    node: DOMNode

    @property
    def width(self) -> int:
        return cell_len(self.display) + 1 + cell_len(self.description)


def _declared_order(node: DOMNode) -> dict[str, int]:
    order: dict[str, int] = {}
    for n, binding in enumerate(bindings_of(type(node))):
        order.setdefault(binding.id or binding.action, n)
    return order


def active_entries(screen: Screen[object]) -> list[FooterEntry]:
    """Each shown binding of `screen` once (its first key), in the order of
    the binding chain, and within one widget in the order its class
    declares them (a keymap rebinding one must not move it to the end)."""
    app = screen.app
    seen: set[tuple[int, str]] = set()
    said: set[tuple[str, str]] = set()  # (action, description): the library's q and the app's ^q both "Quit"
    found: list[tuple[int, int, FooterEntry]] = []
    nodes: dict[int, int] = {}
    orders: dict[int, dict[str, int]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.show or not binding.description:
            continue
        ident = (id(active.node), binding.action)
        meaning = (binding.action.rpartition(".")[2], binding.description)
        if ident in seen or meaning in said:
            continue
        seen.add(ident)
        said.add(meaning)
        place = nodes.setdefault(id(active.node), len(nodes))
        order = orders.setdefault(id(active.node), _declared_order(active.node))
        rank = order.get(binding.id or binding.action, len(order))
        found.append((place, rank, FooterEntry(key, app.get_key_display(binding), binding.description,
                                               active.enabled, binding.action, active.node)))
    found.sort(key=lambda item: (item[0], item[1]))
    return [entry for _place, _rank, entry in found]


def _total(items: list[FooterEntry]) -> int:
    return sum(e.width for e in items) + GAP * max(0, len(items) - 1)


def fit(entries: list[FooterEntry], width: int, *, more_action: str, pinned: tuple[str, ...] = (),
        more_label: str = "more") -> list[FooterEntry]:
    """The entries that fit in `width` cells, whole: a prefix of the others
    in their order, then the `pinned` actions (kept while they fit: save,
    quit), then the help entry (action `more_action`), relabelled
    `more_label` when any other was left out. Nothing is ever cut."""
    help_entry = next((e for e in entries if e.action == more_action), None)
    kept = sorted((e for e in entries if e.action in pinned and e is not help_entry),
                  key=lambda e: pinned.index(e.action))
    others = [e for e in entries if e is not help_entry and e not in kept]
    if _total(others + kept + ([help_entry] if help_entry else [])) <= width:
        return others + kept + ([help_entry] if help_entry else [])
    tail: list[FooterEntry] = []
    if help_entry is not None:
        tail = [FooterEntry(help_entry.key, help_entry.display, more_label, help_entry.enabled, help_entry.action,
                            help_entry.node)]
    # Pinned keys give way (last first) only when the help key alone would not fit.
    while kept and _total(kept + tail) > width:
        kept.pop()
    tail = kept + tail
    while tail and _total(tail) > width:
        tail.pop(0)
    chosen: list[FooterEntry] = []
    for entry in others:
        if _total([*chosen, entry, *tail]) > width:
            break
        chosen.append(entry)
    return chosen + tail


class KeyFooter(Widget):
    """The app's footer (see the module's docstring)."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom; height: 1; width: 1fr;
        background: $footer-background; color: $footer-description-foreground;
    }
    KeyFooter > .key-footer--key { color: $footer-key-foreground; text-style: bold; }
    KeyFooter > .key-footer--disabled { text-style: dim; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--disabled"}

    # The binding action whose key ends the line ("? more").
    more_action: ClassVar[str] = "help"

    def __init__(self, *, pinned: tuple[str, ...] = (), id: str | None = None, classes: str | None = None) -> None:
        """`pinned`: actions shown before the help key whatever the width
        lets go of first (save and quit: a person must always see how to)."""
        super().__init__(id=id, classes=classes)
        self.pinned = pinned
        self._spans: list[tuple[int, int, FooterEntry]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def shown(self) -> list[FooterEntry]:
        """What the footer shows at its width now."""
        return fit(active_entries(self.screen), max(0, self.size.width - 1), more_action=self.more_action,
                   pinned=self.pinned)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, base)
        key_style = base + self.get_component_rich_style("key-footer--key", partial=True)
        dim = self.get_component_rich_style("key-footer--disabled", partial=True)
        segments = [Segment(" ", base)]
        x = 1
        self._spans = []
        for n, entry in enumerate(self.shown()):
            if n:
                segments.append(Segment(" " * GAP, base))
                x += GAP
            extra = dim if not entry.enabled else Style()
            segments.append(Segment(entry.display, key_style + extra))
            segments.append(Segment(" " + entry.description, base + extra))
            self._spans.append((x, x + entry.width, entry))
            x += entry.width
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    async def on_click(self, event: events.Click) -> None:
        for start, end, entry in self._spans:
            if start <= event.x < end and entry.enabled:
                event.stop()
                await self.app.run_action(entry.action, entry.node)
                return

    def on_resize(self) -> None:
        self.refresh()
