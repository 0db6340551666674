"""Before a credential first goes to a server a post-mortem file named:
the server, who named it, the credential (the variable's name, never its
value), and the keys. The safe answer is the easy one: enter, n and
escape all keep the credential; only y sends it (pmtui.trust remembers a
yes for that server). A screens.dialog.Dialog, like every question."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from pmtui.textsafe import one_line
from pmtui.ui.screens.dialog import Dialog


class TrustScreen(Dialog[bool]):
    """Dismisses with True (send, and remember) or False (keep it)."""

    DEFAULT_CSS = """
    TrustScreen > #dialog { border: thick $warning; }
    TrustScreen .trust--where { color: $warning; text-style: bold; margin-top: 1; }
    TrustScreen .trust--why { color: $text-muted; margin-top: 1; }
    """

    SAFE_ID = "trust.keep"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Send it", id="trust.send"),
        Binding("enter,n,escape", "answer(False)", "Don't send", id="trust.keep"),
    ]

    def __init__(self, *, where: str, named_by: str, credentials: list[str], purpose: str) -> None:
        """`credentials`: what would be sent, in words that name no secret
        ("the value of $PROM_TOKEN"); `purpose`: what it is for."""
        # Everything here may come from the file: plain Text, one line each.
        super().__init__(f"Send a credential to a server this file names? ({one_line(purpose, 60)})",
                         labels={"trust.send": "send it", "trust.keep": "don't send"})
        self.where = where
        self.named_by = named_by
        self.credentials = credentials
        self.purpose = purpose

    def compose_body(self) -> Iterable[Widget]:
        yield Static(Text(one_line(self.where, 200)), classes="trust--where", id="trust-where")
        sent = "\n".join(f"  {one_line(c, 70)}" for c in self.credentials)
        yield Static(Text(f"named by {one_line(self.named_by, 80)}\nwould receive\n{sent}"), id="trust-what")
        yield Static(Text("A shared post-mortem file can name any server. Send only to a server you know is "
                          "yours; a yes is remembered for this server (pmtui trust)."), classes="trust--why")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
