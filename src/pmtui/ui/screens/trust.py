"""Before a credential first goes to a server a post-mortem file named:
the server, who named it, the credential (the variable's name, never its
value), and the keys. The safe answer is the easy one: enter, n and
escape all keep the credential; only y sends it (pmtui.trust remembers a
yes for that server)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.textsafe import one_line
from pmtui.ui.keys import key_for, keys_for


class TrustScreen(ModalScreen[bool]):
    """Dismisses with True (send, and remember) or False (keep it)."""

    DEFAULT_CSS = """
    TrustScreen { align: center middle; }
    TrustScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    TrustScreen .trust--title { text-style: bold; }
    TrustScreen .trust--where { color: $warning; text-style: bold; margin-top: 1; }
    TrustScreen .trust--why { color: $text-muted; margin-top: 1; }
    TrustScreen .trust--keys { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Send it", id="trust.send"),
        Binding("enter,n,escape", "answer(False)", "Don't send", id="trust.keep"),
    ]

    def __init__(self, *, where: str, named_by: str, credentials: list[str], purpose: str) -> None:
        """`credentials`: what would be sent, in words that name no secret
        ("the value of $PROM_TOKEN"); `purpose`: what it is for."""
        super().__init__()
        self.where = where
        self.named_by = named_by
        self.credentials = credentials
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        # Everything here may come from the file: plain Text, one line each.
        with Vertical():
            yield Static(Text(f"Send a credential to a server this file names? ({one_line(self.purpose, 60)})"),
                         classes="trust--title")
            yield Static(Text(one_line(self.where, 200)), classes="trust--where", id="trust-where")
            sent = "\n".join(f"  {one_line(c, 70)}" for c in self.credentials)
            yield Static(Text(f"named by {one_line(self.named_by, 80)}\nwould receive\n{sent}"), id="trust-what")
            yield Static(Text("A shared post-mortem file can name any server. Send only to a server you know is "
                              "yours; a yes is remembered for this server (pmtui trust)."), classes="trust--why")
            send, keep = key_for(self, "trust.send"), "/".join(keys_for(self, "trust.keep"))
            yield Static(Text(f"{send} send it · {keep} don't send"), classes="trust--keys", id="trust-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
