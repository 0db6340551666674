"""A modal form for editing one record.

Each field is a labelled Input, Select or TextArea (Select.NULL is the
no-selection value in Textual 8; Select.BLANK is Widget.BLANK, False).
Control characters in a value show as visible stand-ins (controlsafe).
On submit every field's text goes through its `parse`; a ValueError's
message is shown under that field and the form stays open with everything
typed kept. The screen dismisses with {name: parsed value}, or None when
cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from pmtui.textsafe import printable
from pmtui.ui.keys import key_for
from pmtui.ui.widgets.controlsafe import VISIBLE_CONTROLS, SafeTextArea
from pmtui.ui.widgets.select import SafeSelect

Option = str | tuple[str, str]


@dataclass
class Field:
    name: str
    label: str
    value: str = ""
    kind: str = "input"  # input | select | text
    # For select: the values (shown as they are), or (label, value) pairs.
    options: Sequence[Option] = ()
    parse: Callable[[str], Any] | None = None  # raise ValueError(message) to refuse
    placeholder: str = ""  # an example, shown as "e.g. …" in the empty field
    hint: str = ""
    # Called with the text as it is typed: a warning to show under the
    # field at once ("" for none), e.g. a vague action item.
    advice: Callable[[str], str] | None = None


def option_pairs(options: Sequence[Option]) -> list[tuple[str, str]]:
    """(label, value) for each option; a bare value is its own label."""
    return [(o, o) if isinstance(o, str) else (o[0], o[1]) for o in options]


def example(placeholder: str) -> str:
    """A placeholder as an empty field shows it: "e.g. @alice", dimmed, so
    it never passes for a value (one saying what blank means stays as is)."""
    if not placeholder or placeholder.startswith(("e.g.", "blank", "(")):
        return placeholder
    return f"e.g. {placeholder}"


class FormSelect(SafeSelect, inherit_bindings=False):
    """A form's choice: space or the arrows open it; enter is the form's
    (it saves the form, as in every other field, instead of opening the
    menu again after a choice)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]


class FormScreen(ModalScreen[dict[str, Any] | None]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormScreen .form--title { text-style: bold; color: $primary; }
    FormScreen VerticalScroll { height: auto; max-height: 1fr; }
    FormScreen .form--row { height: auto; }
    FormScreen .form--label { width: 12; padding: 1 1 0 0; color: $text-muted; }
    FormScreen .form--field { width: 1fr; height: auto; }
    FormScreen .form--hint { color: $text-muted; height: auto; }
    FormScreen .form--advice { color: $warning; height: auto; display: none; }
    FormScreen .form--advice.-shown { display: block; }
    FormScreen Input > .input--placeholder { color: $text-disabled; text-style: italic; }
    FormScreen .form--error { color: $error; height: auto; display: none; }
    FormScreen .form--error.-shown { display: block; }
    FormScreen TextArea { height: 6; }
    FormScreen .form--keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="form.submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # Reached only from fields that do not take enter themselves (a choice).
        Binding("enter", "submit", "Save", show=False),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        *,
        check: Callable[[dict[str, Any]], dict[str, str]] | None = None,
    ) -> None:
        """`check` sees the parsed values and returns {field: message} for
        rules that involve more than one field."""
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.form_title), classes="form--title")
            with VerticalScroll(can_focus=False):
                for field in self.fields:
                    with Horizontal(classes="form--row"):
                        yield Label(Text(field.label), classes="form--label")
                        with Vertical(classes="form--field"):
                            yield self._editor(field)
                            if field.advice is not None:
                                yield Static("", id=f"advice-{field.name}", classes="form--advice")
                            if field.hint:
                                yield Static(Text(field.hint), classes="form--hint")
                            yield Static("", id=f"error-{field.name}", classes="form--error")
            # enter and tab are Textual's own keys (Input, focus), not ours to rebind.
            keys = (f"enter/{key_for(self, 'form.submit')} save \u00b7 tab next field \u00b7 "
                    f"{key_for(self, 'form.cancel')} cancel")
            if any(f.kind == "select" for f in self.fields):
                keys += " \u00b7 space opens a choice"
            yield Static(Text(keys), classes="form--keys")

    def on_mount(self) -> None:
        for field in self.fields:
            if field.advice is not None:
                self._advise(field, field.value)
        if self.fields:
            self.editor(self.fields[0].name).focus()

    def _advise(self, field: Field, text: str) -> None:
        if field.advice is None:
            return
        message = field.advice(text)
        advice = self.query_one(f"#advice-{field.name}", Static)
        advice.update(Text(printable(f"\u26a0 {message}" if message else "", multiline=True)))
        advice.set_class(bool(message), "-shown")

    def on_input_changed(self, event: Input.Changed) -> None:
        ident = event.input.id or ""
        field = next((f for f in self.fields if f"field-{f.name}" == ident), None)
        if field is not None and field.advice is not None:
            self._advise(field, event.value)

    def _editor(self, field: Field) -> Widget:
        ident = f"field-{field.name}"
        if field.kind == "select":
            pairs = option_pairs(field.options)
            options = [(printable(label) or "(none)", value) for label, value in pairs]
            if field.value and field.value not in {value for _, value in pairs}:
                options.append((printable(field.value), field.value))
            # An option whose value is "" is the field's own "none": no blank besides it.
            has_none = any(value == "" for _label, value in options)
            blank = Select.NULL if not has_none else ""
            return FormSelect(options, value=field.value if field.value else blank, id=ident,
                              allow_blank=not has_none)
        if field.kind == "text":
            # Control characters typed or loaded show as visible stand-ins,
            # never reach the terminal raw; the value itself is kept as is.
            return SafeTextArea(field.value, id=ident, soft_wrap=True, show_line_numbers=False)
        return Input(field.value, placeholder=example(field.placeholder), id=ident, highlighter=VISIBLE_CONTROLS)

    def editor(self, name: str) -> Widget:
        return self.query_one(f"#field-{name}")

    def raw_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for field in self.fields:
            widget = self.editor(field.name)
            if isinstance(widget, Select):
                values[field.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                values[field.name] = widget.text
            elif isinstance(widget, Input):
                values[field.name] = widget.value
        return values

    def show_error(self, name: str, message: str) -> None:
        error = self.query_one(f"#error-{name}", Static)
        error.update(Text(printable(message, multiline=True)))
        error.set_class(bool(message), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        # ctrl+s is a priority binding, handled as it arrives, while the
        # keys typed just before it may still wait in the focused field's
        # queue (a fast typist over SSH sends "text + ctrl+s" in one burst):
        # the submit runs from that queue, behind them, so none is lost.
        focused = self.focused
        if focused is not None and focused is not self:
            focused.call_later(self._submit)
        else:
            self._submit()

    def _submit(self) -> None:
        if not self.is_attached or self.app.screen is not self:
            return  # dismissed meanwhile (escape in the same burst)
        raw = self.raw_values()
        parsed: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for field in self.fields:
            try:
                parsed[field.name] = field.parse(raw[field.name]) if field.parse else raw[field.name]
            except ValueError as exc:
                errors[field.name] = str(exc)
        if not errors and self.check is not None:
            errors = self.check(parsed)
        for field in self.fields:
            self.show_error(field.name, errors.get(field.name, ""))
        if errors:
            first = next(f for f in self.fields if f.name in errors)
            self.editor(first.name).focus()
            return
        self.dismiss(parsed)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(FormScreen):
    """One line of text, e.g. the title of a new post-mortem."""

    def __init__(self, title: str, label: str, *, value: str = "", parse: Callable[[str], Any] | None = None) -> None:
        super().__init__(title, [Field("value", label, value, parse=parse)])
