"""The pmtui app: a header, tabs in the procedure's order, one pane per
step (built the first time it is shown), a footer with the keys.

Panes live in pmtui/ui/panes/<name>.py as <Name>Pane(Pane), built as
<Name>Pane(session, context): the context (panes.base.PaneContext) is all a
pane knows of the app. Every edit goes through `self.session` (undoable,
heard by every pane and the header).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, CSSPathType
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Tab, Tabs

from pmtui.model import PostMortem, utc_now
from pmtui.redact import redact
from pmtui.session import Area, Change, EditSession
from pmtui.textsafe import one_line, printable
from pmtui.ui.keyorder import OrderedKeys
from pmtui.ui.keys import key_text
from pmtui.ui.panes.base import AFTER_REFRESH_AT_LATEST, Pane, PaneContext
from pmtui.ui.saver import Saver, SaveResult
from pmtui.ui.widgets.footer import KeyFooter
from pmtui.ui.widgets.header import DocHeader

if TYPE_CHECKING:
    from textual.command import Provider

    from pmtui.livechecks import SharedChecks
    from pmtui.store import Document, Loading
    from pmtui.ui.guard import Guard

CSS_DIR = Path(__file__).parent / "css"
T = TypeVar("T")
# From this size on (a few thousand events) ctrl+s writes on the saver's
# thread; a smaller file is written in a few milliseconds before the key's
# frame, and the "Saved" notice comes with it.
BACKGROUND_SAVE_BYTES = 512 * 1024
# The checklist is run once after the file is open (for the Report pane's
# first showing): this many seconds after the guard starts, and only once
# no key came for WARM_CHECKS_QUIET seconds.
WARM_CHECKS_AFTER = 1.0
WARM_CHECKS_QUIET = 1.0
# A pane switch draws a screenful of new strips (each with seven caches):
# enough allocations to start a full collection, 10-30 ms at 100,000 events
# (it walks the rows' lists), in the frame that shows the pane. The
# collector waits until the switch's frames are drawn (benchmarks/
# bench_timeline.py, pane switch).
COLLECTOR_HOLD = 0.4


@dataclass(frozen=True)
class PaneInfo:
    name: str
    title: str
    key: str


# The order of the post-mortem procedure.
PANES = (
    PaneInfo("overview", "Overview", "1"),
    PaneInfo("collect", "Collect", "2"),
    PaneInfo("timeline", "Timeline", "3"),
    PaneInfo("analysis", "Analysis", "4"),
    PaneInfo("actions", "Actions", "5"),
    PaneInfo("report", "Report", "6"),
)
PANE_BY_NAME = {p.name: p for p in PANES}


def load_pane_class(name: str) -> type[Pane]:
    """The pane's class, imported the first time the pane is shown (start-up
    imports only the first pane)."""
    module = importlib.import_module(f"pmtui.ui.panes.{name}")
    cls = getattr(module, f"{name.capitalize()}Pane")
    if not (isinstance(cls, type) and issubclass(cls, Pane)):
        raise TypeError(f"pmtui.ui.panes.{name}.{name.capitalize()}Pane is not a Pane")
    return cls


def _pm_commands() -> type[Provider]:
    # The palette's provider is imported when the palette first opens.
    from pmtui.ui.commands import PmCommands

    return PmCommands


class PmApp(OrderedKeys[None]):
    TITLE = "pmtui"
    HOLD_KEYS_AT_START = True
    # The shell's stylesheet; each pane's css/<name>.tcss is read when the
    # pane is first built (start-up parses only what the first frame shows).
    CSS_PATH: ClassVar[CSSPathType | None] = [CSS_DIR / "app.tcss"]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_pm_commands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="file.save", priority=True),
        # ctrl+w ("write as"): ctrl+o is the reviewer's approve; in a text field ctrl+w deletes a word.
        Binding("ctrl+w", "save_as", "Save as", id="file.save_as"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+z", "undo", "Undo", id="edit.undo"),
        Binding("ctrl+y", "redo", "Redo", id="edit.redo"),
        Binding("ctrl+p", "command_palette", "Palette", id="app.palette", priority=True),
        Binding("question_mark,f1", "help", "Keys", id="app.help"),
        # Not in the footer (80 columns are full); the Overview's Sign-off line names it.
        Binding("ctrl+o", "approve", "Approve", id="app.approve", show=False,
                tooltip="Sign the report off as a reviewer"),
        *(
            # (Esc then a digit, typed fast, arrives as alt+digit: keyorder
            # reads it as the two keys it was, so a field is left first.)
            Binding(p.key, f"show_pane('{p.name}')", p.title, show=False, id=f"go.{p.name}")
            for p in PANES
        ),
    ]

    def __init__(
        self,
        document: Document,
        *,
        loading: Loading | None = None,
        demo: bool = False,
        ask_title: bool = False,
        now: Callable[[], datetime] = utc_now,
        local_zone: tzinfo | None = None,
        first_pane: str = "overview",
        blink: bool = True,
    ) -> None:
        """`document` is a store.Document (.path, .pm). `loading`: the
        store.Loading still reading `document`'s rows (a big file: the
        first screen shows before the rest is read). `ask_title`: the file
        does not exist yet; ask for a title, then create it. `now` and
        `local_zone` are injectable so tests and snapshots are fixed;
        `blink=False` keeps text cursors still (snapshots)."""
        super().__init__()
        # No animations: over SSH each frame of the tab bar's sliding
        # underline is bytes on the wire, and a pane switch drew ~20 frames
        # (half a second of CPU) instead of one.
        self.animation_level = "none"
        self.document = document
        self.loading = loading if loading is not None and not document.loaded else None
        self.session = EditSession(document.pm)
        self.session.on_refused = self._refused
        self._saver = Saver()
        self._render_lock = asyncio.Lock()  # one render in steps at a time (a save's, the journal's)
        self._save_task: asyncio.Task[None] | None = None
        self._when_loaded: list[Callable[[], object]] = []
        self.demo = demo
        self.ask_title = ask_title
        self.now = now
        self.local_zone = local_zone
        self.first_pane = first_pane
        self.blink = blink
        self.panes: dict[str, Pane] = {}
        self.pmtui_themes: dict[str, Theme] = {}
        self._remember_theme = False
        self._unsubscribe: Callable[[], None] | None = None
        self._pane_css: set[str] = set()
        self._collector_held = False
        self._collector_timer: Timer | None = None
        self.guard: Guard | None = None
        self._shared_checks: SharedChecks | None = None
        # The team's conventions: a bad .pmtui.toml never stops the file
        # from opening; its problems are shown once the app is up.
        from pmtui.ui.teamsetup import load_conventions

        team, self._team_problems, handle = load_conventions(document.path)
        self.pane_context = PaneContext(
            now=now,
            local_zone=local_zone,
            document_path=self.document_path,
            save=self.save,
            demo=demo,
            show_pane=self.show_pane,
            first_frame_shown=lambda: self.guard is not None,
            hold_collector=self._hold_collector,
            # The first collection after a pane's first build walked every
            # object the build made (the Overview's form: 23 ms, and a full
            # collection 27 ms after it, at 100,000 events): a pane lives as
            # long as the app, so what it built is frozen like the file's rows.
            keep_built=gc.freeze,
            team=team,
            user_handle=handle,
            checks=self.shared_checks,
        )
        # The theme is chosen before the first frame: choosing it once
        # mounted re-parses and re-applies every style (~15% of start-up).
        self._theme_problems = self._setup_themes()

    @classmethod
    def for_postmortem(cls, pm: PostMortem, path: str | Path, **kwargs: Any) -> PmApp:
        from pmtui import store

        return cls(store.new_document(pm, Path(path)), **kwargs)

    # -- layout ----------------------------------------------------------------

    def document_path(self) -> Path | None:
        """The file being edited (a save-as or a reload may change it)."""
        return self.document.path

    def compose(self) -> ComposeResult:
        yield DocHeader(self.session, id="doc-header")
        tabs = Tabs(
            *(Tab(f"{p.key} {p.title}", id=f"tab-{p.name}") for p in PANES),
            active=f"tab-{self.first_pane}",
            id="pane-tabs",
        )
        # Digits (and clicks) switch panes; tab moves within the pane, never
        # onto the tab bar, where the pane's keys would stop working.
        tabs.can_focus = False
        yield tabs
        # The first pane is composed with the shell: one layout for the
        # first frame instead of a second one when it is mounted later.
        first = self._new_pane(self.first_pane)
        yield ContentSwitcher(first, id="panes", initial=first.id)
        yield KeyFooter(pinned=("save", "quit"), id="footer")

    def on_mount(self) -> None:
        for problem in self._theme_problems:
            self.notify(Text(problem), severity="warning", timeout=8)
        self._apply_keymap()
        if self._team_problems:
            shown = "\n".join(self._team_problems[:3])
            more = len(self._team_problems) - 3
            tail = f"\n(+{more} more: pmtui team)" if more > 0 else ""
            self.notify(Text(shown + tail), title=".pmtui.toml: defaults used where it is wrong", severity="warning",
                        timeout=12)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._remember_theme = True
        self._unsubscribe = self.session.subscribe(self._on_change)
        self.sub_title = one_line(str(self.document.path))
        self.call_later(self._show_first_pane)

    async def _show_first_pane(self) -> None:
        await self.show_pane(self.first_pane)
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        # benchmarks/bench_startup.py: the first pane is on screen; leave.
        mark = os.environ.get("PMTUI_BENCH_FIRST_FRAME")
        if mark:
            Path(mark).write_text(repr(time.time()))
            self.exit()
        # A big file's rows are read on from here, between frames; the
        # guard waits for them (a save or the journal needs the whole file).
        if self.loading is not None:
            self.session.hold(Area.TIMELINE, "the timeline is still being read")
            self.run_worker(self._read_rest(), group="load", exclusive=True)
        else:
            self._start_guard()
        if self.ask_title:
            self.call_later(self._ask_title)
        # A pane may finish building itself now (the overview's form).
        first = self.panes.get(self.first_pane)
        if first is not None:
            first.after_first_frame()
        # Keys typed while starting go where they would have gone had the
        # app been up: after the screens pushed so far (title prompt, lock,
        # recovery) are mounted (keyorder waits for those).
        self.call_later(self.open_keys)
        # Everything loaded so far (the post-mortem's rows, Textual's own
        # objects) lives as long as the app: moved out of the collector's
        # view, so a collection does not walk 10,000 events between a key
        # and its frame (pauses of 30-40 ms seen in bench_timeline.py).
        self.call_after_refresh(gc.freeze)

    def _start_guard(self) -> None:
        # Lock, recovery offer, journal, SIGHUP/SIGTERM, conflict check
        # (pmtui.ui.guard) start once the first pane is on screen and the
        # file is read: nothing can have been typed before that the journal
        # does not pick up when it starts. The recovery offer is a screen
        # over the pane.
        from pmtui.ui.guard import Guard

        self.guard = Guard(self)
        self.guard.start()
        self._import_panes()
        self.set_timer(WARM_CHECKS_AFTER, self._warm_checks)

    def _import_panes(self) -> None:
        """Import the panes not shown yet on a thread, so that showing one
        for the first time does not also import it (10-40 ms each: the
        report's markdown and checks, the actions' export)."""
        import sys
        import threading

        names = [f"pmtui.ui.panes.{p.name}" for p in PANES]
        if all(name in sys.modules for name in names):
            return

        def run() -> None:
            for name in names:
                # A broken pane is reported when it is shown, as before.
                with contextlib.suppress(Exception):
                    importlib.import_module(name)

        threading.Thread(target=run, name="pmtui-import-panes", daemon=True).start()

    def shared_checks(self) -> SharedChecks:
        """The checklist's runner the panes share (made on first use, on
        the UI thread, by which time the report pane's import brought its
        module)."""
        if self._shared_checks is None:
            from pmtui.livechecks import SharedChecks

            self._shared_checks = SharedChecks(team=self.pane_context.team)
        return self._shared_checks

    def _warm_checks(self, tries: int = 0) -> None:
        """Run the checklist once, on a thread, while nobody types, so the
        Report pane's first showing finds it done (livechecks.SharedChecks)."""
        import sys

        typing = time.monotonic() - self.last_key_at < WARM_CHECKS_QUIET
        if tries < 20 and (typing or "pmtui.livechecks" not in sys.modules):
            # Not while typing (the thread would slow the frames), nor
            # before the import thread brought the module (12 ms here).
            self.set_timer(WARM_CHECKS_QUIET, lambda: self._warm_checks(tries + 1))
            return
        if self.is_running and self.loading is None and self.shared_checks().last is None:
            from pmtui.livechecks import snapshot

            shared = self.shared_checks()
            pm, revision, now = snapshot(self.session.pm), self.session.revision, self.pane_context.now()
            self.run_worker(lambda: shared.run(pm, revision, now, self._wait_for_quiet), thread=True,
                            group="warm-checks", exit_on_error=False, description="checks")

    def _wait_for_quiet(self) -> None:
        """On the warm-up's thread, between two checks: wait while keys come
        (a pane switch lays out for 0.1-0.5 s after its key, the Overview's
        form in steps the longest; the thread would take half the
        interpreter from those frames)."""
        while self.is_running and time.monotonic() - self.last_key_at < WARM_CHECKS_QUIET:
            time.sleep(0.01)

    # -- reading the rest of a big file ----------------------------------------

    async def _read_rest(self) -> None:
        from pmtui import store

        loading = self.loading
        if loading is None:
            return
        shown = time.monotonic()
        steps = loading.finish_steps()
        try:
            for _ in steps:
                if time.monotonic() - shown > 0.05:  # the row count grows on screen, 20 times a second
                    shown = time.monotonic()
                    self._loading_progress()
                await asyncio.sleep(0)
        except store.StoreError as exc:
            self._unreadable(exc)
            return
        # What follows is spread over frames too: each part holds the loop
        # for a few milliseconds at 100,000 events.
        for _ in self._loaded_steps():
            await asyncio.sleep(0)

    def _loading_progress(self) -> None:
        # Not to a pane still being mounted (a key showed it just now): it
        # has no widgets yet, and reads the rows so far when it mounts.
        for pane in self.panes.values():
            if pane.is_mounted:
                pane.loading_progress(self.loading_state())

    def loading_state(self) -> tuple[int, int] | None:
        """(rows read, rows expected) while the file is being read, else None."""
        if self.loading is None:
            return None
        return self.loading.rows_read, self.loading.estimate()

    def _unreadable(self, exc: Exception) -> None:
        """The file has problems (found while reading its rows): the app
        ends, the file left as it is, every problem listed."""
        self.loading = None
        self.exit(return_code=2, message=str(exc))

    def _loaded(self) -> None:
        """Every row read, at once (a save or quit that cannot wait)."""
        from pmtui import store

        loading = self.loading
        if loading is None:
            return
        try:
            loading.finish()
        except store.StoreError as exc:
            self._unreadable(exc)
            return
        for _ in self._loaded_steps():
            pass

    def _loaded_steps(self) -> Iterator[None]:
        """The document is complete: let edits through, tell the panes,
        start the guard."""
        self.loading = None
        # What was read lives as long as the app: out of the collector's
        # view, as at the first frame (collections walking the rows read
        # since then blocked pane switches for 70 ms at 10,000 events).
        gc.freeze()
        self.session.release(Area.TIMELINE)
        for pane in self.panes.values():
            pane.loading_progress(None)
            yield
        self.session.notify(Area.TIMELINE, "read", edited=False)
        yield
        self._start_guard()
        yield
        waiting, self._when_loaded = self._when_loaded, []
        for callback in waiting:
            callback()

    def _finish_loading_now(self) -> None:
        """Read what is left at once (a save or quit that cannot wait)."""
        if self.loading is not None:
            self.workers.cancel_group(self, "load")
            self._loaded()

    def _refused(self, edit: object, reason: str) -> None:
        state = self.loading_state()
        where = f" ({state[0]:,} of about {state[1]:,} events)" if state else ""
        self.notify(f"Not yet: {reason}{where}; try again in a moment.", severity="warning", timeout=3)

    def on_unmount(self) -> None:
        self._release_collector()
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._saver.wait()  # a save in flight lands before the app is gone
        self._saver.close()
        if self.guard is not None:
            self.guard.stop()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.blink:
            return
        from textual.widgets import Input, TextArea

        if isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False

    def _on_change(self, change: Change) -> None:
        # A field left as the app closes commits after the header is gone.
        for header in self.query(DocHeader):
            header.refresh()

    def pane_classes(self) -> list[tuple[str, str, type[Pane]]]:
        """(name, title, class) of every pane, in the procedure's order
        (imports the panes not built yet: the palette and help need their keys)."""
        return [(p.name, p.title, load_pane_class(p.name)) for p in PANES]

    @property
    def active_pane(self) -> Pane | None:
        current = self.query_one(ContentSwitcher).current
        if current is None:
            return None
        return self.panes.get(current.removeprefix("pane-"))

    def _new_pane(self, name: str) -> Pane:
        self._load_pane_css(name)
        pane = load_pane_class(name)(self.session, self.pane_context, id=f"pane-{name}")
        self.panes[name] = pane
        return pane

    def _hold_collector(self) -> None:
        """Keep the garbage collector off until the frames now being drawn
        are done (COLLECTOR_HOLD after the last call)."""
        if gc.isenabled():
            gc.disable()
            self._collector_held = True
        if self._collector_timer is not None:
            self._collector_timer.stop()
        self._collector_timer = self.set_timer(COLLECTOR_HOLD, self._release_collector)

    def _release_collector(self) -> None:
        self._collector_timer = None
        if self._collector_held:
            self._collector_held = False
            gc.enable()

    async def show_pane(self, name: str) -> Pane:
        self._hold_collector()
        switcher = self.query_one(ContentSwitcher)
        pane = self.panes.get(name)
        if pane is None:
            pane = self._new_pane(name)
            await switcher.mount(pane)
        switcher.current = f"pane-{name}"
        tabs = self.query_one(Tabs)
        with tabs.prevent(Tabs.TabActivated):
            tabs.active = f"tab-{name}"
        pane.focus_default()
        return pane

    def _load_pane_css(self, name: str) -> None:
        path = CSS_DIR / f"{name}.tcss"
        if name in self._pane_css or not path.is_file():
            return
        self._pane_css.add(name)
        self.stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))

    async def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or not event.tab.id:
            return
        name = event.tab.id.removeprefix("tab-")
        if self.query_one(ContentSwitcher).current != f"pane-{name}":
            await self.show_pane(name)

    async def action_show_pane(self, name: str) -> None:
        await self.show_pane(name)

    async def action_approve(self) -> None:
        """Sign-off is the Overview's (its Sign-off line shows who approved)."""
        from pmtui.ui.panes.overview import OverviewPane

        pane = await self.show_pane("overview")
        if isinstance(pane, OverviewPane):
            pane.action_approve()

    # -- files -----------------------------------------------------------------

    def commit_pending(self) -> None:
        """Ask every built pane to turn text still being typed into edits."""
        for pane in self.panes.values():
            pane.commit_pending()

    def save(self, *, background: bool = False) -> bool:
        """Save now. The version saved is rendered here, at once (the model
        as it is at this moment); the check for outside changes, the backup
        and the write happen on the saver's thread. `background=False`
        (the default) waits for them and says whether the file was written;
        `background=True` (ctrl+s) returns at once and tells the result
        when it lands, so a frame never waits for the disk."""
        from pmtui import store

        self.commit_pending()
        if self.loading is not None:
            if background:
                self._when_loaded.append(lambda: self.save(background=True))
                self.notify("Saving as soon as the whole file is read.", timeout=2)
                return True
            self._finish_loading_now()
            if self.loading is not None or not self.document.loaded:
                return False
        if background and self.renders_in_steps():
            self._save_task = asyncio.get_running_loop().create_task(self._save_big())
            return True
        guard = self.guard
        check = guard.save_check() if guard is not None else False
        document = self.document
        try:
            job = store.begin_save(document)
        except (OSError, store.StoreError, ValueError) as exc:
            self.notify(Text(f"Not saved: {one_line(str(exc))}{self._save_hint(exc)}"), severity="error", timeout=8)
            return False
        revision = self.session.revision
        expected = document.stamp
        if background and expected is not None and expected.size >= BACKGROUND_SAVE_BYTES:
            self._saver.submit(job, expected, check, lambda result: self._saved(document, result, revision),
                               keep_backup=guard is not None)
            return True
        self._saver.wait()
        return self._saved(document, self._saver.write(job, expected, check, keep_backup=guard is not None), revision)

    # -- rendering a big document between frames ----------------------------------

    def renders_in_steps(self) -> bool:
        """Whether the document is big enough to compare in steps (a render
        at once would hold a frame for tens of milliseconds)."""
        from pmtui.store.document import RENDER_STEP

        # getattr: tests hand the app a bare namespace for a document
        return getattr(self.document, "loaded", True) and len(self.document.pm.timeline) > RENDER_STEP

    async def render_in_steps(self, *, touched: bool = False,
                              copy: bool = False) -> tuple[int, list[str] | str, str] | None:
        """Render the document (store.Document.render_steps), a few
        milliseconds at a time with frames between. `touched`: compare only
        the rows the edits named (the journal's render; Document.touch).
        `copy`: then copy its text in steps too (Document.parts_steps; a
        journal base) and return (version, lines, separator)."""

        def steps(document: Document) -> Generator[None, None, tuple[int, list[str] | str, str] | None]:
            yield from document.render_steps(touched=touched)
            if not copy:
                return None
            version = document.version
            parts = yield from document.parts_steps()
            return None if parts is None else (version, *parts)

        def at_once(document: Document) -> None:
            document.render()

        return await self._in_steps(steps, at_once)

    async def _after_frame(self) -> None:
        """Until the screen has painted what is pending."""
        shown: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def painted() -> None:
            if not shown.done():
                shown.set_result(None)

        self.call_after_refresh(painted)
        # Textual hands the callback to the screen on top now and drops it
        # if that screen closes before it refreshes (a key that answers a
        # dialog): a render waiting here would then wait for ever.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shown, AFTER_REFRESH_AT_LATEST)

    async def _in_steps(self, steps_of: Callable[[Document], Generator[None, None, T]],
                        at_once: Callable[[Document], T]) -> T:
        """Run `steps_of(document)` a step per turn of the loop, frames
        between. An edit landing meanwhile starts it again (the document
        must be read in one state of the model); after a few such restarts
        the last one runs at once (`at_once`). One such job at a time: the
        lock is let go while an interrupted one waits for the edit's frame,
        so a save waiting behind the journal's render is not held up by it."""
        for _attempt in range(3):
            async with self._render_lock:
                document, revision = self.document, self.session.revision
                steps = steps_of(document)
                try:
                    while True:
                        next(steps)
                        await asyncio.sleep(0)
                        # A key being handled goes first, up to its frame: a
                        # step per turn of the loop beside it (1-3 ms each, a
                        # key's handling takes several turns) put redo's frame
                        # at 19-22 ms instead of 6 at 100,000 events.
                        while self.key_in_flight is not None or self.keys_waiting():
                            await self._after_frame()
                        if self.session.revision != revision or self.document is not document:
                            steps.close()
                            break
                except StopIteration as done:
                    return cast(T, done.value)
            # The edit's frame first: the next step (up to 3 ms) ran in the
            # same turn as the edit, before its paint.
            await self._after_frame()
        async with self._render_lock:
            return at_once(self.document)

    async def _save_big(self) -> None:
        """ctrl+s on a big file: rendered, checked and copied between
        frames (store.begin_save_steps), then written on the saver's
        thread."""
        from pmtui import store

        try:
            job = await self._in_steps(store.begin_save_steps, store.begin_save)
        except (OSError, store.StoreError, ValueError) as exc:
            self.notify(Text(f"Not saved: {one_line(str(exc))}{self._save_hint(exc)}"), severity="error", timeout=8)
            return
        guard = self.guard
        check = guard.save_check() if guard is not None else False
        document = self.document
        revision = self.session.revision
        self._saver.submit(job, document.stamp, check, lambda result: self._saved(document, result, revision),
                           keep_backup=guard is not None)

    def saved_elsewhere(self) -> None:
        """The document was replaced from disk (a reload): what the saver
        last wrote no longer stands for it."""
        self._saver.forget()

    def _save_hint(self, exc: BaseException) -> str:
        """What to do about a save refused by the file system."""
        if isinstance(exc, PermissionError):
            return f" ({key_text(self._first_key('file.save_as'))} saves it as another file)"
        return ""

    def _saved(self, document: Document, result: SaveResult, revision: int) -> bool:
        from pmtui import store

        guard = self.guard
        if result.conflict:
            if guard is not None:
                guard.conflict()  # changed on disk: the conflict dialog decides
            return False
        if result.error is not None or result.stamp is None:
            hint = self._save_hint(result.error) if result.error is not None else ""
            self.notify(Text(f"Not saved: {one_line(str(result.error))}{hint}"), severity="error", timeout=8)
            return False
        if result.backup_error is not None:
            exc = result.backup_error
            self.notify(f"Backup not written ({one_line(exc.filename or '')}: "
                        f"{one_line(exc.strerror or str(exc))}); saved without it.",
                        severity="warning", timeout=8, markup=False)
        if document is not self.document:
            return True  # reloaded meanwhile: that file was written, this one is another
        store.end_save(document, result.job, result.stamp)
        self.session.mark_saved(revision)
        if guard is not None:
            guard.after_save(revision)
        self.query_one(DocHeader).refresh()
        self.notify(Text(f"Saved {one_line(str(self.document.path))}"), timeout=2)
        return True

    def action_save(self) -> None:
        # Priority bindings run app-first, so this ctrl+s would shadow the
        # open form's own ctrl+s ("save this form"): hand it to the form.
        from pmtui.ui.screens.form import FormScreen

        if isinstance(self.screen, FormScreen):
            self.screen.action_submit()
            return
        self.save(background=True)

    def action_save_as(self) -> None:
        """Ask for another file name and save there; from then on the app
        edits that file (its lock, journal and evidence go with it)."""
        from pmtui.ui.screens.form import PromptScreen

        current = self.document.path
        folder = current.parent if current is not None else Path.cwd()

        def parse(text: str) -> Path:
            raw = text.strip()
            if not raw:
                raise ValueError("type a file name, e.g. incident-copy.toml")
            target = Path(raw).expanduser()
            if not target.is_absolute():
                target = folder / target
            if target.suffix != ".toml":
                target = target.with_name(target.name + ".toml")
            if not target.parent.is_dir():
                raise ValueError(f"folder {target.parent} does not exist")
            if current is not None and target.resolve() == current.resolve():
                raise ValueError(f"that is the file open now: {self._first_key('file.save')} saves it")
            if target.exists():
                raise ValueError(f"{target.name} exists already; choose another name")
            return target

        def answered(result: dict[str, Any] | None) -> None:
            if result is not None:
                self.save_as(result["value"])

        suggestion = current.with_name(current.stem + "-copy.toml").name if current is not None else "incident.toml"
        self.push_screen(PromptScreen("Save as another file (relative to the file's folder)", "File",
                                      value=suggestion, parse=parse), answered)

    def save_as(self, target: Path) -> bool:
        """Save to `target` and edit it from now on; False when not saved."""
        from pmtui.sources.evidence import copy_evidence

        old = self.document.path
        self.commit_pending()
        if old is not None:
            problem = copy_evidence(self.session.pm, old.parent, target.parent)
            if problem:
                self.notify(Text(problem), severity="warning", timeout=8)
        if self.guard is not None:
            saved = self.guard.save_as(target)
        else:
            self.document.path = target
            saved = self.save()
            if not saved:
                self.document.path = old
        if saved:
            self.sub_title = one_line(str(target))
        return saved

    def _first_key(self, binding_id: str) -> str:
        from pmtui.ui.keys import keys_for

        return keys_for(self, binding_id)[0]

    def action_help_quit(self) -> None:
        # Textual's own says "Press [b]ctrl+q[/b]": markup that our plain
        # toasts would show as written.
        self.notify(f"Press {self._first_key('app.quit')} to quit.", title="Do you want to quit?", timeout=4)

    async def action_quit(self) -> None:
        self.commit_pending()
        if self._save_task is not None:
            await self._save_task  # a save being rendered or written may leave nothing unsaved
        await self._saver.idle()
        if not self.session.dirty:
            self.exit()
            return
        from pmtui.ui.screens.confirm import UnsavedScreen

        def answered(choice: str | None) -> None:
            if choice == "save":
                if self.save():
                    self.exit()
            elif choice == "discard":
                self.exit()

        self.push_screen(UnsavedScreen(), answered)

    async def _ask_title(self) -> None:
        from pmtui.ui.screens.form import PromptScreen

        def parse(text: str) -> str:
            if not text.strip():
                raise ValueError("a title is needed, e.g. API service degradation")
            return text.strip()

        def answered(result: dict[str, Any] | None) -> None:
            if result is None:
                self.exit(return_code=1, message="No file created.")
                return
            self.document.pm.title = result["value"]
            self.session.notify(Area.OVERVIEW, "title")
            if self.save():
                self.ask_title = False

        self.push_screen(
            PromptScreen(f"New post-mortem: {one_line(str(self.document.path))}", "Title", parse=parse),
            answered,
        )

    # -- notices ---------------------------------------------------------------

    def notify(
        self,
        message: str | Text,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain, redacted text. Notices often quote outside
        text (an error from a server, a path), so markup is never parsed
        here, and a rich Text (which the toast cannot render) becomes its
        plain string."""
        text = message.plain if isinstance(message, Text) else str(message)
        text = printable(redact(text), multiline=True)
        super().notify(text, title=printable(title), severity=severity, timeout=timeout, markup=False)

    # -- edits -----------------------------------------------------------------

    def action_undo(self) -> None:
        # Garbage from the edits collected now landed in an undo's frame
        # (gen-2 passes of 11-35 ms at 100,000 events, measured): after it.
        self._hold_collector()
        change = self.session.undo()
        if change is None:
            self.notify("Nothing to undo.", timeout=2)

    def action_redo(self) -> None:
        self._hold_collector()
        change = self.session.redo()
        if change is None:
            self.notify("Nothing to redo.", timeout=2)

    # -- help and themes -------------------------------------------------------

    def action_help(self) -> None:
        from pmtui.ui.screens.help import HelpScreen

        sections: list[tuple[str, type]] = [("Everywhere", type(self))]
        sections += [(title, cls) for _name, title, cls in self.pane_classes()]
        self.push_screen(HelpScreen(sections))

    def _setup_themes(self) -> list[str]:
        """Register the themes and choose the remembered one; returns what
        to tell once mounted."""
        from pmtui.ui.config import load_config
        from pmtui.ui.themes import DEFAULT_THEME, load_themes

        themes, problems = load_themes()
        for theme in themes.values():
            self.register_theme(theme)
        self.pmtui_themes = themes
        notes = [f"Theme skipped: {problem}" for problem in problems]
        wanted = load_config().get("theme", DEFAULT_THEME)
        if not isinstance(wanted, str) or wanted not in self.available_themes:
            if wanted != DEFAULT_THEME:
                notes.append(f"Theme {one_line(str(wanted))!r} not found; using {DEFAULT_THEME}.")
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        # Set without the watcher: it would re-parse and re-apply every style
        # once running (the stylesheet is not even parsed yet). What else it
        # does, done here: the theme's classes and the ANSI colour filter.
        self.set_reactive(App.theme, wanted)
        theme = self.current_theme
        for name in [c for c in self.classes if c.startswith("-theme-")]:
            self.set_class(False, name, update=False)
        self.set_class(True, f"-theme-{theme.name}", update=False)
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)  # textual is pinned
        self.stylesheet.set_variables(self.get_css_variables())
        return notes

    def _apply_keymap(self) -> None:
        """The config's [keys] table, applied through Textual's keymap."""
        from pmtui.ui.config import ConfigError, keymap_of, read_config

        try:
            config = read_config()
        except ConfigError as exc:
            self.notify(Text(f"Config not read: {one_line(str(exc))}"), severity="warning", timeout=10)
            return
        keymap, problems = keymap_of(config)
        if keymap:
            from pmtui.ui.keys import known_binding_ids

            known = known_binding_ids(self)
            for ident in [i for i in keymap if i not in known]:
                problems.append(f"[keys] {ident!r}: no such binding (? lists every key with its id)")
                del keymap[ident]
            self.set_keymap(keymap)
        for problem in problems:
            self.notify(Text(f"Config: {problem}"), severity="warning", timeout=10)

    def _theme_changed(self, theme: Theme) -> None:
        if not self._remember_theme:
            return
        from pmtui.ui.config import save_config_value

        try:
            save_config_value("theme", theme.name)
        except (OSError, ValueError) as exc:
            self.notify(Text(f"Theme not remembered: {one_line(str(exc))}"), severity="warning")

    def choose_theme(self, name: str) -> None:
        self.theme = name
