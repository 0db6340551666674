"""Keys handled one at a time, in the order they were typed.

How Textual (pinned) loses a fast typist's keys: the driver posts every key
to the app's queue; the app, for each, checks the priority bindings and
then *posts* the key to whatever is focused at that moment
(`App.on_event` -> `_forward_event`). A burst of keys that arrived in one
read is forwarded in one go, before the first has been handled. So:

- keys after one that opens a form are forwarded while the form is not yet
  mounted (nothing focused: they go to the screen, which drops them);
- keys after a Tab in a form are all forwarded to the field that had the
  focus, because the Tab only moves the focus once it has bubbled back up
  to the app (non-priority bindings run in `App._on_key`), by which time
  the rest of the burst sits in the first field's queue.

The fix, for every screen and form (those other modules add too): the app
holds each key (and paste) until the one before it has been handled all
the way. "All the way" is known without guessing: after forwarding a key
to its target, a marker is posted to the target; when the target has run
it (so it handled the key and posted it on to its parent if it bubbles), a
marker goes to the parent, and so on up to the app (which then has run the
non-priority bindings), then to the screen on top (a form opened by the
key has composed, mounted and focused its first field before its queue
runs the marker). Only then is the next key forwarded, to whatever has the
focus now. The cost is a few queue hops per key (well under a millisecond).

Escape typed fast before a character reaches the app as alt+character
(Textual even reads Esc then 2 as "™"); pmtui binds no alt+character, so
such a key is taken apart into the two that were typed (`unmeta`).

Escape typed fast before a punctuation key, Tab or Enter fares worse: the
parser drops the Esc and reports the key alone (Esc then / is "/"), so a
filter left with Esc and opened again with / took the / as text.
`EscapeKeepingParser` reports the Esc it would drop; OrderedKeys installs
it for the terminal drivers.

Work a key sets off can wait for the keys typed after it (the timeline's
filter: a burst of characters is filtered once, after the last of them):
`after_keys(owner, work)` runs `work` at once when no typed key is waiting,
else once none is, or before the next key sent to anything but `owner`
(the filter box), since that key may read what the work changes (enter
then x deletes the row under the cursor of the filtered view), whichever
comes first; `work` hears which (True: a key is about to read it).

A watchdog releases the keys if a marker is ever lost (a widget closed
with it still queued), so no key is held for more than HOLD_LIMIT.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

from textual import events
from textual._parser import Peek1, Read1  # textual is pinned
from textual._xterm_parser import XTermParser  # textual is pinned
from textual.app import App
from textual.dom import DOMNode
from textual.keys import _character_to_key  # textual is pinned
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer


def _escape_specials() -> dict[str, str]:
    # Textual reads some ESC+character pairs as the characters macOS's
    # Option key makes ("\x1b2" is "™"): {that character: the one typed}.
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS  # textual is pinned

    return {v: k[1] for k, v in ANSI_SEQUENCES_KEYS.items()
            if len(k) == 2 and k[0] == "\x1b" and isinstance(v, str) and len(v) == 1}


_ESCAPE_SPECIALS = _escape_specials()


def unmeta(event: events.Key) -> list[events.Key]:
    """Escape typed fast and then a character reaches a terminal app as one
    sequence, read as alt+character (or, for some, a symbol: Esc then 2
    becomes "™"). pmtui binds no alt+character key, so it is what was typed:
    Esc, then the character (a field is left, then the digit switches pane,
    instead of "™" landing in the field)."""
    char = event.character or ""
    typed = _ESCAPE_SPECIALS.get(char) if len(char) == 1 else None
    if typed is None and event.key.startswith("alt+") and len(char) == 1 and char.isprintable():
        typed = char
    if typed is None:
        return [event]
    name = typed if typed.isalnum() else _character_to_key(typed)
    escape, key = events.Key("escape", "\x1b"), events.Key(name, typed)
    escape.time = key.time = event.time
    return [escape, key]


class EscapeKeepingParser(XTermParser):
    """Textual's parser, but an Esc it read as a modifier of a key it does
    not name alt+ (punctuation, Tab, Enter) is reported before that key
    (pmtui binds no alt+ key; what was typed was Esc, then the key); and an
    Esc followed by a character and then another escape sequence in one
    read (Esc, `/`, Down typed fast) stays Esc: Textual reissues such an
    unknown sequence with its Esc shown as a literal "^", which then landed
    in the filter box."""

    # Set while Textual reissues an unknown sequence's Esc (see parse).
    _escape_reissued = False

    def parse(self, token_callback: Callable[[Message], None]) -> Generator[Read1 | Peek1, str, None]:
        def on_token(token: Message) -> None:
            reissued, self._escape_reissued = self._escape_reissued, False
            if reissued and isinstance(token, events.Key) and token.key == "circumflex_accent":
                escape = events.Key("escape", "\x1b")
                escape.time = token.time
                token = escape
            token_callback(token)

        return super().parse(on_token)

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        # Textual turns the "escape" made here into "^" only when it
        # reissues a sequence without alt (the one place that asks for a
        # lone Esc this way): the next token is that "^".
        self._escape_reissued = sequence == "\x1b" and not alt
        keys = list(super()._sequence_to_key_events(sequence, alt=alt))
        if alt and keys and not any(k.key.startswith("alt+") for k in keys):
            yield events.Key("escape", "\x1b")
        yield from keys


def install_parser() -> None:
    """The terminal drivers build their parser from their module's name
    for it (textual is pinned): point those at EscapeKeepingParser."""
    from textual.drivers import linux_driver, linux_inline_driver

    for module in (linux_driver, linux_inline_driver):
        if getattr(module, "XTermParser", None) is XTermParser:
            setattr(module, "XTermParser", EscapeKeepingParser)  # noqa: B010 (a module of the pinned library)


# Longest a key waits for the one before it before it is sent anyway. At
# 1.0 a CI run beside other jobs lost the keys typed after `a` (a why's text
# landed short), most likely this watchdog sending them before the form,
# slow to open there, had focused its field. No marker is lost in normal
# use (forms opening and closing included: keys_forced stays 0), so this
# only bounds a fault.
HOLD_LIMIT = 4.0
# Passes of the marker after the first, for messages the key set off.
MAX_PASSES = 4

HeldEvent = events.Key | events.Paste
R = TypeVar("R")


class OrderedKeys(App[R]):
    """An App whose keys are handled in order, each after the one before.
    An app that must hold keys while it starts (PmApp: until its first
    pane and start-up dialogs are up) sets HOLD_KEYS_AT_START and calls
    open_keys(); any other takes keys from the start."""

    HOLD_KEYS_AT_START: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install_parser()
        self._held: deque[HeldEvent] = deque()
        self._key_in_flight: HeldEvent | None = None
        self._key_watchdog: Timer | None = None
        self._sent_at = 0.0
        self._key_screen: object = None
        self._key_target: DOMNode | None = None
        self._passes = 0
        # owner -> work to run once the keys typed so far are handled (after_keys)
        self._after_keys: dict[DOMNode, Callable[[bool], object]] = {}
        # Until the app says it is ready (its first screen up, start-up
        # dialogs pushed), typed keys wait.
        self._keys_open = not self.HOLD_KEYS_AT_START
        # Counted for tests and the benchmark.
        self.keys_held = 0
        self.keys_forced = 0  # sent by the watchdog: a marker was lost

    # -- public --------------------------------------------------------------

    def open_keys(self) -> None:
        """Start handling keys (those typed while starting go first)."""
        if not self._keys_open:
            self._keys_open = True
            self.call_later(self._send_next)

    def after_keys(self, owner: DOMNode, work: Callable[[bool], object]) -> None:
        """Run `work` (once) now if no typed key is waiting, else when none
        is any more, or before the next key that is sent to anything but
        `owner` (`work(True)`), whichever comes first: keys to `owner` in a
        burst set it off once, after the last, and a key elsewhere finds it
        done."""
        if not self._held:
            self._after_keys.pop(owner, None)
            work(False)
            return
        self._after_keys[owner] = work

    def _run_after_keys(self, target: DOMNode | None = None) -> None:
        for owner in [o for o in self._after_keys if o is not target]:
            self._after_keys.pop(owner)(target is not None)

    @property
    def last_key_at(self) -> float:
        """time.monotonic() when the last key was handed on (0: none yet)."""
        return self._sent_at

    def keys_waiting(self) -> bool:
        """Keys read and waiting for the one in flight."""
        return bool(self._held)

    @property
    def key_in_flight(self) -> HeldEvent | None:
        """The key being handled now (None between keys)."""
        return self._key_in_flight

    # -- Textual hook ----------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if isinstance(event, events.Key) and not self._keys_open and event.key == "ctrl+j":
                # Typed before the terminal went raw, Enter was turned into a
                # newline by the line discipline (ICRNL): it was Enter.
                enter = events.Key("enter", "\r")
                enter.time = event.time
                event = enter
            parts: list[HeldEvent] = [*unmeta(event)] if isinstance(event, events.Key) else [event]
            if self._key_in_flight is not None or self._held or not self._takes_keys() or len(parts) > 1:
                self.keys_held += 1
                self._held.extend(parts)
                self._wait_for_screen()
                if self._key_in_flight is None and self._takes_keys():
                    self.call_later(self._send_next)
                return
            await self._send(event)
            return
        await super().on_event(event)

    def _takes_keys(self) -> bool:
        # A screen pushed but not yet mounted has nothing focused: a key
        # forwarded now would be dropped.
        return self._keys_open and self.screen.is_mounted

    def _wait_for_screen(self) -> None:
        if self._keys_open and not self.screen.is_mounted and self._key_in_flight is None:
            # Its queue runs this once it has composed and mounted.
            self.screen.call_later(self.call_later, self._send_next)

    # -- sending ----------------------------------------------------------------

    async def _send(self, event: HeldEvent) -> None:
        self._key_in_flight = event
        self._sent_at = time.monotonic()
        if self._key_watchdog is None:
            self._key_watchdog = self.set_interval(HOLD_LIMIT / 4, self._check_watchdog, name="key order")
        if not self._accepts(event):
            self._settled()
            return
        target: DOMNode = self.focused or self.screen
        if self._after_keys:
            self._run_after_keys(target)
            target = self.focused or self.screen
        self._key_screen = self.screen
        self._key_target = target
        self._passes = 0
        await super().on_event(event)
        self._start_pass(target)

    def _start_pass(self, target: DOMNode) -> None:
        # The target runs _hop once it has handled what it holds (the key first).
        self._passes += 1
        if not (isinstance(target, MessagePump) and target.call_later(self._hop, target)):
            self._hop(target)

    async def _on_key(self, event: events.Key) -> None:
        # A key that bubbles back up here runs the screen's bindings. If
        # handling it opened another screen (enter on a row opens its form),
        # those are the new screen's bindings: the key was not meant for
        # them (the form's enter would save the form just opened).
        # (Textual calls each class's handler in turn: prevent_default stops App's.)
        if event is self._key_in_flight and self.screen is not self._key_screen:
            event.prevent_default()

    def _accepts(self, event: HeldEvent) -> bool:
        """False for a key typed before the screen on top appeared when that
        screen must not take such keys (a dialog nobody asked for)."""
        since = getattr(self.screen, "takes_keys_since", None)
        return since is None or event.time >= since

    def _hop(self, node: DOMNode) -> None:
        """Run `_hop` again on node's parent once node has handled what it
        holds now; past the app, once the screen on top has."""
        parent = node._parent
        while parent is not None:
            if isinstance(parent, MessagePump) and parent.call_later(self._hop, parent):
                return
            parent = parent._parent
        # `node` is the app: every binding for the key has run.
        if not self.screen.call_later(self._at_screen, self.screen):
            self._settled()

    def _at_screen(self, screen: DOMNode) -> None:
        # The key may have opened another screen while the marker travelled.
        if self.screen is not screen and self.screen.call_later(self._at_screen, self.screen):
            return
        # What the key set off may still be queued along the way (a choice
        # made in a Select's menu reaches the Select as a message after the
        # key): another pass, until the queues the key went through and the
        # focused widget's are empty.
        if self._passes < MAX_PASSES and self._busy():
            self._start_pass(self.focused or self.screen)
            return
        self._settled()

    def _busy(self) -> bool:
        # The app's own queue is left out: it holds the keys typed next.
        nodes: list[MessagePump] = []
        for start in (self._key_target, self.focused):
            node: MessagePump | None = start
            while node is not None and node is not self:
                nodes.append(node)
                node = node._parent
        return any(not n._message_queue.empty() for n in nodes)

    def _settled(self) -> None:
        self._key_in_flight = None
        self.call_later(self._send_next)

    async def _send_next(self) -> None:
        if self._key_in_flight is not None:
            return
        if not self._held:
            if self._after_keys:
                self._run_after_keys()
            return
        if not self._takes_keys():
            self._wait_for_screen()
            return
        await self._send(self._held.popleft())

    def _check_watchdog(self) -> None:
        if self._key_in_flight is not None and time.monotonic() - self._sent_at > HOLD_LIMIT:
            self.log.warning("key order: a key was not settled in time; sending the next")
            self.keys_forced += 1
            if os.environ.get("PMTUI_DEBUG_KEYS"):
                print(f"key order: forced after {self._key_in_flight!r}", file=sys.stderr)
            self._settled()
