"""The Analysis pane: the five-whys tree, contributing factors, the
immediate cause, systemic issues, the fishbone view and the retrospective
lists (went well / went wrong / lucky / lessons).

Every edit is an operation of pmtui.edits run through the EditSession, so
each is undoable and every other pane (the report preview above all) hears
about it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.widgets import OptionList, Static, Tree
from textual.widgets.option_list import Option

from pmtui import fishbone
from pmtui.edits import analysis as edits
from pmtui.edits.analysis import LIST_NOUNS, ListKey
from pmtui.model import FACTOR_CATEGORIES, Factor, PostMortem, Why
from pmtui.session import Area, Change, EditSession
from pmtui.textsafe import one_line
from pmtui.ui.panes.base import Pane, PaneContext
from pmtui.ui.screens.form import Field, FormScreen
from pmtui.ui.widgets.blametext import safe
from pmtui.ui.widgets.detail import DetailPanel

FULL_DEPTH = 5


@dataclass(frozen=True)
class ListKind:
    key: ListKey  # the model attribute, also the checks' section name
    title: str

    @property
    def noun(self) -> str:
        return LIST_NOUNS[self.key]


LISTS = (
    ListKind("factors", "Factors"),
    ListKind("systemic_issues", "Systemic"),
    ListKind("went_well", "Well"),
    ListKind("went_wrong", "Wrong"),
    ListKind("lucky", "Lucky"),
    ListKind("lessons", "Lessons"),
)
TREE_ONLY = {"add_sibling", "reparent"}


def _required(what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = text.strip()
        if not text:
            raise ValueError(f"{what} cannot be empty")
        return text

    return parse


def _without(bindings: Sequence[BindingType], keys: set[str]) -> list[BindingType]:
    return [b for b in bindings if not (isinstance(b, Binding) and set(b.key.split(",")) & keys)]


class WhysTree(Tree[str], inherit_bindings=False):
    """The five-whys tree; node data is the why id ("" for the problem).

    Tree's shift+up/down jump between siblings; here they move the node
    (the pane's keys), so those two are left out."""

    # Tree's own cursor keys first: ScrollableContainer's up/down scroll the
    # view and, listed first, won (at 80x24 the cursor stayed put while the
    # view moved, so e/a/x acted on a why the person was not looking at).
    BINDINGS: ClassVar[list[BindingType]] = [
        *_without(Tree.BINDINGS, {"shift+up", "shift+down"}),
        Binding("k", "cursor_up", "Cursor up", show=False),
        Binding("j", "cursor_down", "Cursor down", show=False),
        *_without(ScrollableContainer.BINDINGS, {"shift+up", "shift+down", "up", "down"}),
    ]


class ItemsList(OptionList):
    """The list currently shown on the right (factors, lessons, ...)."""


class AnalysisPane(Pane):
    pane_name = "analysis"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="analysis.add"),
        Binding("e", "edit", "Edit", id="analysis.edit"),
        Binding("x,delete", "delete", "Delete", id="analysis.delete"),
        Binding("v", "view", "View in full", id="analysis.view"),
        Binding("b", "add_sibling", "Branch (why beside)", id="analysis.add_sibling"),
        Binding("tab", "switch_focus", "Tree/list", id="analysis.switch_focus"),
        Binding("left_square_bracket", "cycle_list(-1)", "Previous list", id="analysis.prev_list"),
        Binding("right_square_bracket", "cycle_list(1)", "Next list", id="analysis.next_list"),
        Binding("f", "fishbone", "Fishbone", id="analysis.fishbone"),
        Binding("shift+up", "move(-1)", "Move up", id="analysis.move_up"),
        Binding("shift+down", "move(1)", "Move down", id="analysis.move_down"),
        Binding("m", "reparent", "Move under another why", id="analysis.reparent"),
        Binding("p", "problem", "Problem", id="analysis.problem"),
        Binding("i", "immediate_cause", "Immediate cause", id="analysis.immediate_cause"),
        Binding("r", "shallow_reason", "Why chains stop short", id="analysis.shallow_reason"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "analysis--blame",
        "analysis--depth",
        "analysis--short",
        "analysis--muted",
        "analysis--category",
        "analysis--tab",
        "analysis--tab-active",
    }

    def __init__(self, session: EditSession, context: PaneContext | None = None, **kwargs: Any) -> None:
        super().__init__(session, context, **kwargs)
        self.list_index = 0
        self.show_fishbone = False

    @property
    def pm(self) -> PostMortem:
        return self.session.pm

    @property
    def current_list(self) -> ListKind:
        return LISTS[self.list_index]

    # -- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="analysis-body"):
            with Vertical(id="analysis-whys"):
                yield Static(Text("Five whys"), classes="analysis--title")
                yield WhysTree(Text("Problem"), data="", id="analysis-tree")
                yield Static(id="analysis-immediate")
            with Vertical(id="analysis-lists"):
                yield Static(id="analysis-tabs")
                yield ItemsList(id="analysis-items")
                with VerticalScroll(id="analysis-fishbone-box"):
                    yield Static(id="analysis-fishbone")
        yield DetailPanel(more=f"{self.key('analysis.view')} shows all", id="analysis-detail")

    def on_mount(self) -> None:
        tree = self.query_one(WhysTree)
        tree.show_root = True
        tree.guide_depth = 3
        self._refresh_all()
        tree.focus()

    def on_change(self, change: Change) -> None:
        if change.area == Area.ANALYSIS:
            self._refresh_all(focus=change.focus)

    def on_resize(self) -> None:
        if self.show_fishbone:
            self._refresh_fishbone()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()
        self._show_detail()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        self._show_detail()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()

    # -- the selected item in full ---------------------------------------------

    def selection_detail(self) -> tuple[str, Text] | None:
        if self.show_fishbone and not self.query_one(WhysTree).has_focus:
            return "Contributing factors by category", self._factors_text()
        if self.tree_focused():
            why = self.current_why()
            if why is None:
                return "Problem (root of the five whys)", self._problem_text()
            return f"{why.id}", self._why_text(why)
        index = self.current_item_index()
        if index is None:
            return None
        item = getattr(self.pm, self.current_list.key)[index]
        if isinstance(item, Factor):
            return f"{item.id}", self._factor_text(item)
        return f"{self.current_list.noun.capitalize()} {index + 1}", self._text(item, multiline=True)

    def _problem_text(self) -> Text:
        problem = self.pm.problem.strip()
        if not problem:
            return Text(f"Problem not stated: {self.key('analysis.problem')} writes it.", style="dim")
        return self._text(problem, multiline=True)

    def _why_text(self, why: Why) -> Text:
        text = Text(f"{why.id} ", style="bold")
        text.append_text(self._text(why.text, multiline=True) if why.text.strip() else Text("(empty)", style="dim"))
        parent = next((w for w in self.pm.whys if w.id == why.parent), None)
        below = [w.id for w in self.pm.whys if w.parent == why.id]
        facts = [f"because of {parent.id}" if parent else "directly under the problem",
                 f"depth {self._depth(why)}"]
        if below:
            facts.append("why of it: " + ", ".join(below))
        factors = [f.id for f in self.pm.factors if f.why == why.id]
        if factors:
            facts.append("factors " + ", ".join(factors))
        text.append("\n" + one_line(" \u00b7 ".join(facts)), style="dim")
        return text

    def _depth(self, why: Why) -> int:
        by_id = {w.id: w for w in self.pm.whys}
        depth, node, seen = 1, why, {why.id}
        while node.parent in by_id and node.parent not in seen:
            seen.add(node.parent)
            node = by_id[node.parent]
            depth += 1
        return depth

    def _factor_text(self, factor: Factor) -> Text:
        text = Text(f"{factor.id} ", style="bold")
        text.append(f"[{factor.category or 'other'}] ", self._style("category"))
        text.append_text(self._text(factor.text, multiline=True))
        if factor.why:
            why = next((w for w in self.pm.whys if w.id == factor.why), None)
            text.append(f"\n\u2192 {factor.why}", style="dim")
            if why is not None:
                text.append(" ")
                text.append_text(self._text(why.text))
        return text

    def _factors_text(self) -> Text:
        text = Text()
        categories: dict[str, list[Factor]] = {}
        for factor in self.pm.factors:
            categories.setdefault(factor.category or "other", []).append(factor)
        for n, (category, factors) in enumerate(categories.items()):
            if n:
                text.append("\n")
            text.append(f"{category}\n", style="bold")
            for factor in factors:
                text.append(f"  {factor.id} ")
                text.append_text(self._text(factor.text))
                text.append("\n")
        return text if self.pm.factors else Text("No contributing factors yet.", style="dim")

    def _show_detail(self) -> None:
        if not self.is_mounted:
            return
        detail = self.selection_detail()
        panel = self.query_one(DetailPanel)
        panel.show(detail[1] if detail is not None else Text(""))

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"analysis--{name}", partial=True)

    def _text(self, value: str, **kw: Any) -> Text:
        return safe(value, self._style("blame"), **kw)

    # -- rendering ---------------------------------------------------------

    def _refresh_all(self, focus: Any = None) -> None:
        self._refresh_tree(focus if isinstance(focus, Why) else None)
        self._refresh_immediate()
        self._refresh_list(focus)
        self._refresh_fishbone()
        self._show_detail()

    def _why_label(self, why: Why, depth: int, leaf: bool) -> Text:
        # The short-chain mark goes before the text so a narrow tree still shows it.
        if leaf and depth < FULL_DEPTH:
            label = Text(f"\u26a0{depth}/{FULL_DEPTH}", self._style("short"))
        else:
            label = Text(f"{depth}", self._style("depth"))
        label.append(f" {why.id} ", self._style("muted"))
        label.append_text(self._text(why.text) if why.text.strip() else Text("(empty)", self._style("muted")))
        return label

    def _refresh_tree(self, focus: Why | None = None) -> None:
        tree = self.query_one(WhysTree)
        keep = focus.id if focus is not None and focus in self.pm.whys else self.current_why_id()
        problem = self.pm.problem.strip()
        root_label = Text("Problem: ", self._style("muted"))
        if problem:
            root_label.append_text(self._text(problem))
        else:
            root_label.append(f"(not stated: {self.key('analysis.problem')} to write it)", self._style("muted"))
        tree.clear()
        tree.root.set_label(root_label)
        tree.root.data = ""
        by_parent: dict[str, list[Why]] = {}
        ids = {w.id for w in self.pm.whys}
        for w in self.pm.whys:
            # A dangling parent would hide the node: show it under the root.
            by_parent.setdefault(w.parent if w.parent in ids else "", []).append(w)
        nodes = {"": tree.root}
        # Everything is expanded, so a node's line is its place in a
        # depth-first walk (the root is line 0); setting cursor_line works
        # before the tree has drawn its new lines, move_cursor does not.
        target_line = 0
        seen: set[str] = set()

        def build(parent_id: str, depth: int) -> None:
            nonlocal target_line
            for w in by_parent.get(parent_id, []):
                if w.id in seen:
                    continue
                seen.add(w.id)
                kids = [k for k in by_parent.get(w.id, []) if k.id not in seen]
                node = nodes[parent_id].add(self._why_label(w, depth, not kids), data=w.id, expand=True)
                if not kids:
                    node.allow_expand = False
                nodes[w.id] = node
                if w.id == keep:
                    target_line = len(seen)
                build(w.id, depth + 1)

        build("", 1)
        tree.root.expand()
        tree.cursor_line = target_line
        # The cursor's line must be on screen once the new lines are laid out.
        tree.call_after_refresh(tree.scroll_to_line, target_line, animate=False)

    def _refresh_immediate(self) -> None:
        text = Text("Immediate cause: ", self._style("muted"))
        cause = self.pm.immediate_cause.strip()
        if cause:
            text.append_text(self._text(cause, multiline=True))
        else:
            text.append(f"({self.key('analysis.immediate_cause')} to write it)", self._style("muted"))
        reason = self.pm.shallow_reason.strip()
        if reason:
            text.append("\nWhy chains stop short: ", self._style("muted"))
            text.append_text(self._text(reason))
        self.query_one("#analysis-immediate", Static).update(text)

    def _tabs(self) -> Text:
        out = Text()
        for i, kind in enumerate(LISTS):
            count = len(getattr(self.pm, kind.key))
            style = self._style("tab-active") if i == self.list_index else self._style("tab")
            out.append(f" {kind.title} {count} ", style)
        return out

    def _item_prompt(self, item: Any) -> Text:
        if isinstance(item, Factor):
            text = Text(f"{item.id} ", self._style("muted"))
            text.append(f"[{item.category or 'other'}] ", self._style("category"))
            text.append_text(self._text(item.text))
            if item.why:
                text.append(f"  \u2192 {item.why}", self._style("muted"))
            return text
        return self._text(item)

    def _refresh_list(self, focus: Any = None) -> None:
        self.query_one("#analysis-tabs", Static).update(self._tabs())
        items_widget = self.query_one(ItemsList)
        old = items_widget.highlighted
        items = getattr(self.pm, self.current_list.key)
        items_widget.clear_options()
        if items:
            items_widget.add_options([Option(self._item_prompt(item)) for item in items])
            index = old if old is not None else 0
            if isinstance(focus, Factor) and focus in items:
                index = items.index(focus)
            elif isinstance(focus, int):
                index = focus
            items_widget.highlighted = max(0, min(index, len(items) - 1))

    def _refresh_fishbone(self) -> None:
        box = self.query_one("#analysis-fishbone-box")
        self.query_one(ItemsList).display = not self.show_fishbone
        box.display = self.show_fishbone
        if not self.show_fishbone:
            return
        width = max(40, box.size.width - 2 if box.size.width else 78)
        diagram = fishbone.render(self.pm.factors, self.pm.problem, width=width)
        text = Text()
        for n, line in enumerate(diagram.split("\n")):
            if n:
                text.append("\n")
            text.append_text(self._text(line))
        self.query_one("#analysis-fishbone", Static).update(text)

    # -- where the cursor is -----------------------------------------------

    def tree_focused(self) -> bool:
        """The tree is what the keys act on (else the list on the right)."""
        return self.query_one(WhysTree).has_focus or not self.query_one(ItemsList).has_focus

    def current_why_id(self) -> str | None:
        """The why under the tree cursor; "" for the problem (root)."""
        node = self.query_one(WhysTree).cursor_node
        return node.data if node is not None else None

    def current_why(self) -> Why | None:
        return edits.find_why(self.pm, self.current_why_id())

    def current_item_index(self) -> int | None:
        items = getattr(self.pm, self.current_list.key)
        index = self.query_one(ItemsList).highlighted
        if index is None or not (0 <= index < len(items)):
            return None
        return index

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in TREE_ONLY and self.is_mounted and not self.tree_focused():
            return None  # shown dimmed: it applies to the tree
        return True

    # -- location (from the report's checklist) ------------------------------

    def show_location(self, section: str, row: int | str | None = None) -> bool:
        """Put the cursor on what a check points at: the checks' "factors"
        section holds whys (row W3), factors (F2), systemic issues (an
        index) and the problem / immediate cause (no row). False when this
        pane does not hold `section`."""
        if section == "factors":
            if isinstance(row, str) and any(w.id == row for w in self.pm.whys):
                return self._show_why(row)
            if isinstance(row, str):
                index = next((i for i, f in enumerate(self.pm.factors) if f.id == row), 0)
                return self._show_list("factors", index)
            if isinstance(row, int):
                return self._show_list("systemic_issues", row)
            return self._show_why(None)
        if any(kind.key == section for kind in LISTS):
            return self._show_list(section, row if isinstance(row, int) else 0)
        return False

    def _show_why(self, why_id: str | None) -> bool:
        why = next((w for w in self.pm.whys if w.id == why_id), None)
        self.show_fishbone = False
        self._refresh_fishbone()
        self._refresh_tree(why)
        if why is None:
            self.query_one(WhysTree).cursor_line = 0
        self.query_one(WhysTree).focus()
        return True

    def _show_list(self, key: str, index: int) -> bool:
        self.show_fishbone = False
        self.list_index = next(i for i, kind in enumerate(LISTS) if kind.key == key)
        self._refresh_list(index)
        self._refresh_fishbone()
        self.query_one(ItemsList).focus()
        return True

    # -- actions -------------------------------------------------------------

    def _form(self, title: str, fields: list[Field], then: Callable[[dict[str, Any]], object]) -> None:
        def done(values: dict[str, Any] | None) -> None:
            if values is not None:
                then(values)

        self.app.push_screen(FormScreen(title, fields), done)

    def action_switch_focus(self) -> None:
        if self.tree_focused() and not self.show_fishbone:
            self.query_one(ItemsList).focus()
        else:
            self.query_one(WhysTree).focus()

    def action_cycle_list(self, step: int) -> None:
        self.list_index = (self.list_index + step) % len(LISTS)
        self._refresh_list(0)
        if not self.show_fishbone:
            self.query_one(ItemsList).focus()

    def action_fishbone(self) -> None:
        self.show_fishbone = not self.show_fishbone
        self._refresh_fishbone()
        if self.show_fishbone:
            # The box had no size while hidden: draw again at its real width.
            self.after_refresh(self._refresh_fishbone)
        else:
            self._refresh_list()

    def action_add(self) -> None:
        if self.tree_focused():
            parent = self.current_why_id() or ""
            self._add_why(parent)
        else:
            self._add_item()

    def action_add_sibling(self) -> None:
        if not self.tree_focused():
            return
        why = self.current_why()
        if why is None:
            self.notify(f"The problem has no siblings: add a why under it with {self.key('analysis.add')}",
                        severity="warning")
            return
        self._add_why(why.parent, after=why)

    def action_edit(self) -> None:
        if self.tree_focused():
            why = self.current_why()
            if why is None:
                self.action_problem()
                return
            self._form(
                f"Edit {why.id}",
                [Field("text", "Why", why.text, parse=_required("A why"))],
                lambda v: self.session.run(edits.edit_why(self.pm, why, v["text"])),
            )
        else:
            self._edit_item()

    def action_delete(self) -> None:
        if self.tree_focused():
            why = self.current_why()
            if why is None:
                self.notify(f"The problem cannot be deleted: edit it with {self.key('analysis.problem')}",
                            severity="warning")
                return
            self._delete_why(why)
        else:
            self._delete_item()

    def action_move(self, step: int) -> None:
        if self.tree_focused():
            why = self.current_why()
            if why is not None:
                self._move_why(why, step)
        else:
            index = self.current_item_index()
            if index is not None:
                self._move_item(index, step)

    def action_reparent(self) -> None:
        if not self.tree_focused():
            return
        why = self.current_why()
        if why is None:
            return
        below = edits.subtree_ids(self.pm, why)
        choices = edits.parent_choices(self.pm, why)
        if not choices:
            self.notify("No other parent to move it to", severity="warning")
            return

        def parse(text: str) -> str:
            text = text.strip()
            if text.lower() in ("", "problem", "root"):
                text = ""
            if text != "" and text not in {w.id for w in self.pm.whys}:
                raise ValueError(f"no why {text!r}; one of: problem, " + ", ".join(c for c in choices if c))
            if text in below:
                raise ValueError(f"{text} is {why.id} itself or below it")
            return text

        self._form(
            f"Move {why.id} under",
            [
                Field(
                    "parent",
                    "New parent",
                    "",
                    parse=parse,
                    placeholder="a why id, or problem",
                    hint="One of: " + ", ".join(c or "problem" for c in choices),
                )
            ],
            lambda v: self.session.run(edits.reparent_why(self.pm, why, v["parent"])),
        )

    def action_problem(self) -> None:
        self._form(
            "Problem statement (root of the five whys)",
            [Field("problem", "Problem", self.pm.problem)],
            lambda v: self.session.run(edits.edit_text(self.pm, "problem", v["problem"].strip())),
        )

    def action_immediate_cause(self) -> None:
        self._form(
            "Immediate cause",
            [Field("cause", "Cause", self.pm.immediate_cause, kind="text", hint="One cause per line.")],
            lambda v: self.session.run(edits.edit_text(self.pm, "immediate_cause", v["cause"].strip())),
        )

    def action_shallow_reason(self) -> None:
        self._form(
            "Why no chain reaches five whys",
            [Field("reason", "Reason", self.pm.shallow_reason)],
            lambda v: self.session.run(edits.edit_text(self.pm, "shallow_reason", v["reason"].strip())),
        )

    # -- whys ------------------------------------------------------------------

    def _add_why(self, parent: str, after: Why | None = None) -> None:
        def then(values: dict[str, Any]) -> None:
            self.session.run(edits.add_why(self.pm, values["text"], parent, after=after))

        where = parent or "the problem"
        self._form(f"Why? (under {where})", [Field("text", "Because", "", parse=_required("A why"))], then)

    def _delete_why(self, why: Why) -> None:
        below = len(edits.subtree_ids(self.pm, why)) - 1
        self.session.run(edits.delete_why(self.pm, why))
        self.notify(one_line(f"Deleted {why.id}" + (f" and {below} below it" if below else "")
                             + f" ({self.key('edit.undo')} undoes)"))

    def _move_why(self, why: Why, step: int) -> None:
        self.session.run(edits.move_why(self.pm, why, step))

    # -- lists -----------------------------------------------------------------

    def _factor_fields(self, factor: Factor | None) -> list[Field]:
        """Category and why link are chosen from lists: a typo can neither
        make a new category nor point at a why that does not exist."""
        categories = list(FACTOR_CATEGORIES)
        categories += sorted({f.category for f in self.pm.factors if f.category and f.category not in categories})
        why_options: list[tuple[str, str]] = [("(none)", "")]
        why_options += [(one_line(f"{w.id} {w.text}", 60), w.id) for w in self.pm.whys]
        current = self.current_why_id() or ""
        return [
            Field(
                "category",
                "Category",
                factor.category if factor else "other",
                kind="select",
                options=categories,
                parse=lambda text: text or "other",
            ),
            Field("text", "Factor", factor.text if factor else "", parse=_required("A factor")),
            Field(
                "why",
                "Why link",
                factor.why if factor else current,
                kind="select",
                options=why_options,
                hint="The why this factor answers (optional).",
            ),
        ]

    def _add_item(self) -> None:
        kind = self.current_list
        items = getattr(self.pm, kind.key)
        index = self.current_item_index()
        at = index + 1 if index is not None else len(items)
        if kind.key == "factors":

            def then(v: dict[str, Any]) -> None:
                self.session.run(edits.add_factor(self.pm, at, v["text"], v["category"], v["why"]))

            self._form("New contributing factor", self._factor_fields(None), then)
            return

        def then_text(v: dict[str, Any]) -> None:
            self.session.run(edits.add_item(self.pm, kind.key, at, v["text"]))

        self._form(f"New {kind.noun}", [Field("text", "Text", "", parse=_required("The text"))], then_text)

    def _edit_item(self) -> None:
        kind = self.current_list
        items = getattr(self.pm, kind.key)
        index = self.current_item_index()
        if index is None:
            return
        if kind.key == "factors":
            factor = items[index]

            def then(v: dict[str, Any]) -> None:
                self.session.run(
                    edits.edit_factor(self.pm, factor, category=v["category"], text=v["text"], why=v["why"])
                )

            self._form(f"Edit {factor.id}", self._factor_fields(factor), then)
            return

        def then_text(v: dict[str, Any]) -> None:
            self.session.run(edits.edit_item(self.pm, kind.key, index, v["text"]))

        self._form(f"Edit {kind.noun}", [Field("text", "Text", items[index], parse=_required("The text"))], then_text)

    def _delete_item(self) -> None:
        kind = self.current_list
        index = self.current_item_index()
        if index is None:
            return
        self.session.run(edits.delete_item(self.pm, kind.key, index))
        self.notify(f"Deleted {kind.noun} ({self.key('edit.undo')} undoes)")

    def _move_item(self, index: int, step: int) -> None:
        self.session.run(edits.move_item(self.pm, self.current_list.key, index, step))
