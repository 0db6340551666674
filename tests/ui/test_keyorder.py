"""Keys handled in the order typed, each after the one before has run all
the way (pmtui.ui.keyorder): a burst posted in one go, as the driver posts
what one read of a slow SSH link brings."""

from __future__ import annotations

import asyncio

from textual import events

from pmtui.ui.keyorder import unmeta


def burst(app, keys: list[str]) -> None:
    """Every key posted at once, before the first is handled."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_a_burst_fills_the_form_it_opens_field_by_field(make_app, settle):
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(app.session.pm.timeline)
        # The keys after "a" arrive before the form exists; each Tab moves
        # the focus before the next character is handled.
        burst(app, ["a", *"10:44", "tab", *"Queue backlog grows", "tab", *"Grafana", "tab", *"@me", "enter"])
        await until(lambda: len(app.session.pm.timeline) == before + 1)
        new = next(e for e in app.session.pm.timeline if e.event == "Queue backlog grows")
        assert (new.time.strftime("%H:%M"), new.source, new.actor) == ("10:44", "Grafana", "@me")
        assert app.keys_forced == 0  # no key waited for the watchdog


async def test_enter_on_a_row_opens_its_form_and_does_not_save_it(demo_pm, open_app, settle):
    app = open_app(demo_pm(), "actions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        burst(app, ["enter"])
        await until(lambda: type(app.screen).__name__ == "FormScreen" and app.screen.is_mounted)
        await settle(pilot)
        assert type(app.screen).__name__ == "FormScreen"  # still open: the enter was the row's


async def test_keys_typed_while_starting_are_kept(tmp_path, fixed_now):
    from pmtui import store
    from pmtui.model import PostMortem
    from pmtui.ui.app import PmApp

    app = PmApp(store.new_document(PostMortem(), tmp_path / "new.toml"), ask_title=True, now=fixed_now,
                blink=False)
    async with app.run_test(size=(80, 24)):
        # Posted before the first frame; a newline typed before the terminal
        # went raw is the Enter it was.
        burst(app, [*"Typed early", "ctrl+j"])
        await until(lambda: (tmp_path / "new.toml").exists())
        assert store.load(tmp_path / "new.toml").pm.title == "Typed early"


def test_escape_typed_fast_before_a_key_is_the_two_keys():
    for special, key in (("\u2122", "2"), ("\u00a1", "1")):  # Esc 2 -> ™, Esc 1 -> ¡ in Textual's table
        parts = unmeta(events.Key("x", special))
        assert [p.key for p in parts] == ["escape", key]
    assert [p.key for p in unmeta(events.Key("alt+a", "a"))] == ["escape", "a"]
    assert [p.key for p in unmeta(events.Key("alt+up", None))] == ["alt+up"]
    assert [p.key for p in unmeta(events.Key("a", "a"))] == ["a"]


async def test_escape_then_digit_leaves_the_field_and_switches_pane(make_app, settle):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.panes["overview"].form_shown.wait()
        app.panes["overview"].editor("title").focus()
        await settle(pilot)
        burst(app, ["\u2122"])  # what Esc then 2 becomes when they arrive together
        await until(lambda: app.active_pane is not None and app.active_pane.pane_name == "collect")
        assert "\u2122" not in app.session.pm.title


async def test_a_dialog_nobody_asked_for_takes_no_key_typed_before_it(make_app, settle):
    from pmtui.ui.screens.confirm import ConfirmScreen

    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        answers = []
        early = events.Key("y", "y")  # typed before the question appeared
        app.push_screen(ConfirmScreen("Open anyway?", unasked=True), answers.append)
        await until(lambda: isinstance(app.screen, ConfirmScreen) and app.screen.is_mounted)
        app.post_message(early)
        await settle(pilot)
        assert answers == [] and isinstance(app.screen, ConfirmScreen)
        burst(app, ["y"])
        await until(lambda: answers == [True])


def test_escape_before_punctuation_is_kept_by_the_parser():
    """Esc then / in one read: Textual's parser reports "/" alone; ours
    reports the Esc too (an alt+letter is left for unmeta to take apart)."""
    from pmtui.ui.keyorder import EscapeKeepingParser

    def keys(data: str) -> list[str]:
        parser = EscapeKeepingParser()
        return [e.key for e in [*parser.feed(data), *parser.feed("")] if hasattr(e, "key")]

    assert keys("x\x1b/5") == ["x", "escape", "slash", "5"]
    assert keys("\x1b/") == ["escape", "slash"]
    assert keys("\x1bx") == ["alt+x"]
    assert keys("\x1b[A") == ["up"]
    # Esc, a character or a few, then an arrow, in one read: Textual reissues the unknown start with
    # its Esc as a literal "^" (which landed in the filter box); it stays Esc.
    assert keys("\x1b/heron-3\r\x1b[B") == ["escape", "slash", "h", "e", "r", "o", "n", "minus", "3", "enter", "down"]
    assert keys("\x1bx\x1b[B") == ["escape", "x", "down"]
    # a "^" typed is still a "^"
    assert keys("^\x1b[B") == ["circumflex_accent", "down"]
    assert keys("\x1b^\x1b[A") == ["escape", "circumflex_accent", "up"]
