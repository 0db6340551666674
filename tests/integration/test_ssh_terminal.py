"""Each of issue 11's items, seen through a real terminal: pmtui over a
real SSH connection in tmux (80x24 unless said), keys in bursts, the screen
read back with capture-pane."""

from __future__ import annotations

import os
import re
import time

import pytest

from pmtui import store
from pmtui.filesafety.journal import Journal, find_recovery
from pmtui.journey.script import events_shown
from pmtui.journey.terminal import (
    DOWN,
    ENTER,
    ESC,
    TAB,
    Key,
    footer_line,
    footer_problems,
    kill_client,
    pmtui_pids,
    screen_problems,
)
from pmtui.model import TimelineEvent, Why
from pmtui.sample import at, sample_postmortem

LONG_EVENT = ("Database connection pool exhausted on orders-db-1: 20 of 20 connections in use, 143 requests "
              "queued, p99 latency 12.4 s, checkout and order history failing")


def saved_sample(tmp_path, name="incident.toml", pm=None):
    path = tmp_path / name
    store.save(store.new_document(pm or sample_postmortem(), path))
    return path


def on_timeline(screen: str) -> bool:
    """The Timeline pane is drawn (its status line; the Overview names the
    first event too, so an event's text does not tell)."""
    return events_shown(screen) is not None


def header(screen: str) -> str:
    return screen.splitlines()[0]


def words(screen: str) -> str:
    """The screen's text as one line of words (box edges and wrapping gone)."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2580-\u259f\u2500-\u257f]", " ", screen))


def toast(screen: str) -> str:
    """The words of the notices in the screen's lower right corner (each
    line right of a notice's edge, ▌: what the pane shows beside it left out)."""
    return words("\n".join(line.rsplit("\u258c", 1)[1] for line in screen.splitlines() if "\u258c" in line))


# -- 1. five whys at 80x24 -------------------------------------------------------------


def test_five_whys_cursor_reaches_every_why_when_the_tree_overflows(ssh_pmtui, tmp_path):
    pm = sample_postmortem()
    # 28 whys: four chains of seven, far more than the tree's box at 80x24.
    pm.whys = []
    for chain in range(4):
        parent = ""
        for depth in range(7):
            ident = f"W{chain * 7 + depth + 1}"
            pm.whys.append(Why(ident, f"Chain {chain + 1} depth {depth + 1} why text", parent))
            parent = ident
    saved_sample(tmp_path, pm=pm)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("analysis", ["4"], "Five whys")
    # Down past the bottom of the box: the cursor moves (the view follows it)
    # and e edits the why under the cursor, whichever chain it is in.
    term.step("down 24", [DOWN] * 24, "Chain 4 depth 3 why text\n")
    screen = term.step("edit", ["e"], "Edit W24")
    assert "Chain 4 depth 3 why text" in screen
    term.step("close", [ESC], lambda s: "Edit W24" not in s)
    term.step("page down", [Key("pagedown")], lambda s: "Chain 4 depth 7" in s)
    term.step("home", [Key("home")], lambda s: "Problem" in s.splitlines()[4])
    screen = term.step("end and edit", [Key("end"), "e"], "Edit W28")
    assert not screen_problems(screen)


# -- 2. dialogs show their question and keys; enter is the safe answer ----------------------


def test_lock_prompt_shows_question_and_keys_and_enter_quits(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    first = ssh_pmtui(["incident.toml"], name="first")
    first.wait_for("Overview")
    second = ssh_pmtui(["incident.toml"], name="second")
    screen = second.wait_for("already open in another pmtui")
    assert "Open it here anyway?" in screen
    assert "y open it here anyway" in screen and "enter/esc/n quit" in screen
    assert not screen_problems(screen)
    # enter is the safe answer: this one quits and leaves the file to the first.
    second.send(ENTER)
    second.wait_for(lambda s: second.dead() or ("open in another pmtui" in s and "Open it here" not in s))
    deadline = time.monotonic() + 10
    while len(pmtui_pids(tmp_path / "incident.toml")) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(pmtui_pids(tmp_path / "incident.toml")) == 1
    first.step("still editing", ["3"], on_timeline)


def test_conflict_dialog_shows_question_and_keys_and_enter_cancels(ssh_pmtui, tmp_path):
    path = saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("edit", ["3", "x"], lambda s: "unsaved" in header(s))
    path.write_text(path.read_text().replace("API Service Degradation", "Changed by git pull"))
    screen = term.step("save", [Key("ctrl+s")], "changed on disk since you opened it")
    assert "Saving now would replace their version with yours." in screen
    for keys in ("a save yours as", "r reload theirs", "o overwrite theirs", "d show diff", "enter/esc cancel"):
        assert keys in screen, keys
    term.step("enter", [ENTER], lambda s: "changed on disk" not in s)
    assert "Changed by git pull" in path.read_text()  # untouched: enter was the safe answer


def test_unsaved_dialog_enter_keeps_editing(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("edit", ["3", "x"], lambda s: "unsaved" in header(s))
    screen = term.step("quit", [Key("ctrl+q")], "There are unsaved changes")
    assert "s save and quit" in words(screen) and "d discard changes and quit" in words(screen)
    assert "enter/esc/c keep editing" in words(screen)
    term.step("enter", [ENTER], lambda s: "unsaved changes" not in s)
    assert not term.dead()
    term.step("discard", [Key("ctrl+q"), "d"], lambda s: term.dead() or not s.strip())


# -- dropping the connection offers the edit back ------------------------------------------


def test_dropped_ssh_connection_offers_the_edit_back(ssh_pmtui, tmp_path):
    path = saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"], name="before")
    term.wait_for("Overview")
    term.step("edit", [ENTER, "Edited before the link dropped", ENTER],
              lambda s: "unsaved" in header(s) and "Title           Edited before the link dropped" in s)
    # The journal follows an edit within a second: wait for it to hold this one (read, never cleared).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        entry = Journal(path).read()
        if entry is not None and "Edited before the link dropped" in entry.text:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the journal never held the edit")
    kill_client(term)  # the laptop's lid closes: the ssh client is gone at once
    deadline = time.monotonic() + 15
    while pmtui_pids(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pmtui_pids(path), "pmtui kept running after its connection dropped"
    assert find_recovery(path) is not None
    assert "Edited before" not in path.read_text()
    again = ssh_pmtui(["incident.toml"], name="after")
    screen = again.wait_for("Unsaved changes found for incident.toml")
    assert "r restore them" in screen and "enter/esc/k keep both" in screen
    assert not screen_problems(screen)
    again.step("restore", ["r"], lambda s: "Title           Edited before the link dropped" in s)
    again.step("save", [Key("ctrl+s")], lambda s: "unsaved" not in header(s))
    assert store.load(path).pm.title == "Edited before the link dropped"


# -- 3. keys typed before a form opens go into it ---------------------------------------------


def test_keys_typed_while_starting_go_to_the_title_prompt(ssh_pmtui, tmp_path):
    term = ssh_pmtui(["fresh.toml"])
    # Typed at once, before pmtui has drawn anything: nothing may be lost.
    term.send("Typed before the prompt", ENTER)
    screen = term.wait_for(lambda s: "Typed before the prompt" in header(s), timeout=60)
    deadline = time.monotonic() + 5
    while not (tmp_path / "fresh.toml").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "fresh.toml").exists(), term.screen()
    assert store.load(tmp_path / "fresh.toml").pm.title == "Typed before the prompt", screen


def test_filter_cleared_and_typed_again_in_one_burst(ssh_pmtui, tmp_path):
    """Escape then / typed fast (one write, read as alt+/): the filter is
    cleared and opened again, and what follows is the new filter's text."""
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("timeline", ["3"], on_timeline)
    screen = term.step("burst", ["/", "High error", ESC, "/", "5xx", ENTER, "D"],
                       lambda s: "filter '5xx': 1 shown" in s and "TTD 0s" in header(s))
    assert "/5xx" not in screen and "High error5xx" not in screen


# -- 4. text cut in a table can be read in full ------------------------------------------------


def test_selected_row_is_readable_in_full_at_80_columns(ssh_pmtui, tmp_path):
    pm = sample_postmortem()
    pm.timeline.append(TimelineEvent(at("11:02:00.250"), LONG_EVENT, "app logs", "", "symptom"))
    saved_sample(tmp_path, pm=pm)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    screen = term.step("timeline", ["3", Key("end")], "p99 latency")
    # The row is cut in the table, the detail panel wraps it whole.
    assert "143 requests queued, p99 latency 12.4 s, checkout" in words(screen)
    # To the second (after the key-moment column): the fraction is in the full view.
    assert re.search(r"^. 11:02:00 Database", screen, re.MULTILINE), screen
    screen = term.step("view", ["v"], "Event at 2025-02-09 11:02:00.25 UTC")
    assert "checkout and order history failing" in words(screen) and "close" in screen
    term.step("close", [ESC], lambda s: "Event at" not in s)


LONG_WHY = ("The pool's 20 connections were each held for seconds by the order-history query, so every other "
            "request queued until its 5 s timeout")
LONG_FACTOR = ("No alert on connection pool saturation: the pool ran at 100% for nine minutes before the error "
               "rate alert fired")
LONG_ACTION = ("Add an alert on DB pool saturation above 80% for 5 minutes, routed to the API on-call, with a "
               "runbook link to the pool-size procedure")


def test_a_why_a_factor_and_an_action_are_readable_in_full_at_80_columns(ssh_pmtui, tmp_path):
    """The tree shows ~20 characters of a why at 80 columns, the fishbone's
    columns and the actions table cut too: the detail panel wraps the item
    under the cursor, and v shows all of it."""
    pm = sample_postmortem()
    pm.whys[0].text = LONG_WHY
    pm.factors[0].text = LONG_FACTOR
    pm.actions[0].action = LONG_ACTION
    saved_sample(tmp_path, pm=pm)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("analysis", ["4"], "Five whys")
    screen = term.step("the why", [DOWN], lambda s: "request queued until its" in words(s))
    assert "order-history query" in words(screen)
    screen = term.step("view the why", ["v"], "pgup pgdn scroll")  # the viewer's key line
    assert LONG_WHY in words(screen) and "depth 1" in words(screen)
    term.step("close", [ESC], lambda s: "pgup pgdn scroll" not in s)
    # The fishbone, every factor whole in its category.
    screen = term.step("fishbone", ["f", TAB], lambda s: "before the error rate alert fired" in words(s))
    assert "monitoring" in screen.lower()
    term.step("actions", ["5"], "AI-001")
    screen = term.step("the action", [Key("home")], lambda s: "runbook link to the pool-size procedure" in words(s))
    screen = term.step("view the action", ["v"], "pgup pgdn scroll")
    assert LONG_ACTION in words(screen) and not screen_problems(screen)


# -- 5. footers: whole keys in order, "? more" -------------------------------------------------


@pytest.mark.parametrize("width", [40, 60, 80, 120, 160])
def test_footer_never_cuts_a_key(ssh_pmtui, tmp_path, width, footer_descriptions):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"], width=width, height=24)
    term.wait_for("Overview")
    def footer_ok(screen: str) -> bool:
        line = footer_line(screen).rstrip()
        return (not footer_problems(screen, footer_descriptions)
                and (width > 80 or line.endswith(("? more", "f1 more")))
                and ("^s Save" in line or width < 60))

    # What each pane shows at any of these widths: the switch has been drawn.
    shown = {"1": "Enter or tab edits", "2": "candidates 0 \u00b7 evidence", "3": "key moments \u00b7 times in UTC",
             "4": "Five whys", "5": "ID     Action", "6": "Checklist"}
    for pane, marker in shown.items():
        # The footer follows the pane's bindings a frame later, so the wait is
        # for both; a footer that stays wrong fails the wait with the screen.
        screen = term.step(f"pane {pane}", [pane], lambda s, m=marker: m in s and footer_ok(s))
        assert footer_ok(screen), (width, pane, footer_line(screen))


# -- 6. focus stays where the pane's keys work ----------------------------------------------


def test_tab_keeps_the_pane_keys_and_digits_in_fields_are_text(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    # Timeline: tab stays on the table, so a still adds an event.
    term.step("timeline", ["3", TAB, TAB], on_timeline)
    term.step("add after tab", ["a"], "Add event")
    term.step("cancel", [ESC], lambda s: "Add event" not in s.splitlines()[3])
    # Overview: the first tab lands in the title field (its cursor shows
    # where typing goes), and digits typed there are text.
    term.step("overview", ["1"], "Edit the fields")
    term.step("into the title", [TAB, Key("end"), " 2025"], lambda s: "API Service Degradation 2025" in s)
    screen = term.screen()
    assert "1 Overview" in screen.splitlines()[1] and "Title" in screen


# -- 7. the palette finds every pane's actions --------------------------------------------------


def test_palette_finds_actions_of_other_panes_and_goes_there(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("timeline", ["3"], on_timeline)
    term.step("palette", [Key("ctrl+p"), "fishbone"], "analysis: fishbone")
    term.step("run", [ENTER], lambda s: "Five whys" in s and "monitoring" in s.lower())
    term.step("palette again", [Key("ctrl+p"), "write report"], "report: write report")
    term.step("write", [ENTER], "Report written to")
    assert (tmp_path / "incident.md").is_file()


# -- 9. small things of the first hour --------------------------------------------------------


def test_ctrl_c_says_how_to_quit_in_plain_words(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    screen = term.step("ctrl+c", ["3", Key("ctrl+c")], "to quit")
    assert "Press ctrl+q to quit." in screen and "[b]" not in screen


def test_save_as_writes_another_file_and_edits_it(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    term = ssh_pmtui(["incident.toml"])
    term.wait_for("Overview")
    term.step("edit", ["3", "x"], lambda s: "unsaved" in header(s))
    term.step("save as", [Key("ctrl+w")], "Save as another file")
    term.step("name", [Key("ctrl+u"), "copy.toml", ENTER], "Saved")
    assert store.load(tmp_path / "copy.toml").pm.timeline != store.load(tmp_path / "incident.toml").pm.timeline
    term.step("edit again", ["x"], lambda s: "unsaved" in header(s))
    term.step("save", [Key("ctrl+s")], lambda s: "unsaved" not in header(s))
    assert len(store.load(tmp_path / "copy.toml").pm.timeline) == len(sample_postmortem().timeline) - 2
    assert len(store.load(tmp_path / "incident.toml").pm.timeline) == len(sample_postmortem().timeline)


# -- 10. a [keys] table in the config rebinds -------------------------------------------------


def test_config_keys_table_rebinds_and_the_footer_says_so(ssh_pmtui, tmp_path):
    saved_sample(tmp_path)
    config = os.environ["XDG_CONFIG_HOME"] + "/pmtui/config.toml"
    os.makedirs(os.path.dirname(config), exist_ok=True)
    with open(config, "w") as fh:
        fh.write('# mine\n[keys]\n"timeline.add" = "n,insert"\n"no.such.binding" = "z"\n')
    term = ssh_pmtui(["incident.toml"])
    term.wait_for(lambda s: "'no.such.binding': no such binding" in toast(s))
    # The footer follows the pane a frame after its rows: the wait is for both.
    screen = term.step("timeline", ["3"], lambda s: on_timeline(s) and "n Add event" in footer_line(s))
    term.step("rebound", ["n"], "Add event")
    term.step("cancel", [ESC], lambda s: "Add event" not in s.splitlines()[3])
    # The old key does nothing: the filter key typed after it opens the
    # filter on the table (had a opened the form, / would be typed into it).
    screen = term.step("old key does nothing", ["a", "/"], "filter: text in event")
    assert "Add event" not in screen.splitlines()[3]


def test_demo_leaves_no_temporary_folder_unless_edited(ssh_pmtui, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    term = ssh_pmtui(["demo"], env={"TMPDIR": str(tmp)}, name="untouched")
    term.wait_for("Overview")
    assert list(tmp.glob("pmtui-demo-*"))
    term.step("quit", [Key("ctrl+q")], lambda s: term.dead() or not s.strip() or "$" in s)
    deadline = time.monotonic() + 10
    while list(tmp.glob("pmtui-demo-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(tmp.glob("pmtui-demo-*"))
    edited = ssh_pmtui(["demo"], env={"TMPDIR": str(tmp)}, name="edited")
    edited.wait_for("Overview")
    edited.step("edit and save", ["3", "x", Key("ctrl+s")], "Saved")
    edited.step("quit", [Key("ctrl+q")], lambda s: "Your edited demo copy is kept in" in words(s) or edited.dead())
    kept = list(tmp.glob("pmtui-demo-*"))
    assert len(kept) == 1 and (kept[0] / "api-degradation.toml").is_file()
