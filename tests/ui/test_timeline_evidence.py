"""Key moments and evidence from the Timeline pane, at 80x24 and 160x48:
the key flag by one key (undoable, marked, saved), the key rows alone,
the report's short timeline and its switch, and one key on a row opening
its evidence at the place it names (a log at its line, JSON pretty-printed
at the row's time, a metric as a chart with the incident's marks), with
search, wrap and pretty-printing; outside text stays inert."""

from __future__ import annotations

import hashlib

import pytest

from pmtui.model import Evidence, TimelineEvent
from pmtui.sample import at
from pmtui.ui.screens.evidence import EvidenceLines, EvidenceScreen
from pmtui.ui.widgets.chart import TimeChart

SIZES = [(80, 24), (160, 48)]
IDS = ["80x24", "160x48"]


async def _collected(app, pilot, settle) -> None:
    """Collect from the demo recordings, accept every candidate, show the timeline."""
    await app.show_pane("collect")
    await pilot.press("c")
    await settle(pilot)
    while app.panes["collect"].running:
        await pilot.pause(0.05)
    await pilot.press("A")
    await app.show_pane("timeline")
    await settle(pilot)


def _row(app, text: str) -> int:
    pane = app.panes["timeline"]
    return next(i for i, e in enumerate(pane.table.rows) if text in e.event)


async def _open(app, pilot, settle, text: str) -> EvidenceScreen:
    pane = app.panes["timeline"]
    pane.table.move_cursor(_row(app, text))
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(app.screen, EvidenceScreen)
    return app.screen


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_key_flag_marks_undoes_and_saves(demo_app, saved, screen_text, settle, size):
    app = demo_app(first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pane = app.panes["timeline"]
        rows = pane.events
        pane.table.move_cursor(3)
        await pilot.press("asterisk")
        assert rows[3].key and sum(e.key for e in rows) == 1
        line = next(t for t in screen_text(app).splitlines() if rows[3].event[:18] in t)
        assert line.lstrip().startswith("\u2726")
        assert "1 key moment " in screen_text(app)
        await pilot.press("ctrl+z")
        assert not rows[3].key and "0 key moments" in screen_text(app)
        await pilot.press("ctrl+y", "down", "down", "asterisk")
        assert [e.event for e in rows if e.key] == [rows[3].event, rows[5].event]
        # The key rows alone, and back.
        await pilot.press("t")
        assert list(pane.table.rows) == [rows[3], rows[5]]
        assert "key rows only" in screen_text(app)
        pane.table.move_cursor(0)
        await pilot.press("asterisk")  # unmarked in the key view: it leaves it
        assert not rows[3].key and list(pane.table.rows) == [rows[5]]
        await pilot.press("t")
        assert len(pane.table.rows) == len(rows)
        await pilot.press("ctrl+s")
        await settle(pilot)
        on_disk = saved(app).timeline
        assert [e.key for e in on_disk] == [e.key for e in rows] and sum(e.key for e in on_disk) == 1


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_report_shows_key_rows_and_switches_to_all(demo_app, saved, screen_text, settle, size):
    app = demo_app(first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pm = app.session.pm
        for i in (0, 4, 16):
            app.panes["timeline"].table.move_cursor(i)
            await pilot.press("asterisk")
        await app.show_pane("report")
        await settle(pilot)
        report = app.panes["report"]
        table = report.query_one("#report-timeline")
        assert [e.event for e in table.rows] == [e.event for e in pm.timeline if e.key]
        heading = report.query_one("#report-section-timeline").plain()
        assert f"The 3 key moments of {len(pm.timeline)} events" in " ".join(heading.split())
        await pilot.press("t")
        await settle(pilot)
        assert pm.report.timeline == "all" and len(table.rows) == len(pm.timeline)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert pm.report.timeline == "auto" and len(table.rows) == 3
        await pilot.press("ctrl+y", "ctrl+s")
        await settle(pilot)
        assert saved(app).report.timeline == "all"


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_log_row_opens_at_its_line_searches_and_wraps(demo_app, screen_text, settle, size):
    app = demo_app(demo=True, first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await _collected(app, pilot, settle)
        row = app.panes["timeline"].table.rows[_row(app, "request failed")]
        (ref,) = row.evidence
        line = int(ref.rsplit("#L", 1)[1])
        screen = await _open(app, pilot, settle, "request failed")
        view = screen.query_one(EvidenceLines)
        assert view.numbers[view.target] == line and "request failed" in view.lines[view.target]
        text = screen_text(app)
        assert f"{line}\u25b6" in text.replace(" ", "") and f"line {line} marked" in text
        # The lines around it are on screen, above and below.
        assert f"{line - 3}" in text and f"{line + 3}" in text
        await pilot.press("slash", *"pool exhausted", "enter")
        await settle(pilot)
        assert view.matches and view.current == 0
        first = view.cursor
        assert first >= view.target and "pool exhausted" in view.lines[first]
        assert f"1 of {len(view.matches)} matches" in screen_text(app)
        await pilot.press("n")
        assert view.current == 1 and view.cursor >= first
        await pilot.press("N")
        assert view.current == 0
        await pilot.press("w")
        await settle(pilot)
        assert view.wrap and "wrapped" in screen_text(app)
        assert view.virtual_size.height > len(view.lines)  # long lines now take several rows
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EvidenceScreen)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_json_row_opens_pretty_printed_at_its_time(demo_app, screen_text, settle, size):
    app = demo_app(demo=True, first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await _collected(app, pilot, settle)
        row = app.panes["timeline"].table.rows[_row(app, "silence")]
        screen = await _open(app, pilot, settle, "silence")
        view = screen.query_one(EvidenceLines)
        assert screen.loaded is not None and screen.loaded.pretty
        assert view.lines[0] in ("{", "[") and view.lines[1].startswith("  ")
        assert row.time.strftime("%Y-%m-%dT%H:%M:%S") in view.lines[view.target]
        assert "pretty JSON" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        view = screen.query_one(EvidenceLines)
        assert not screen.loaded.pretty and view.lines[0] not in ("{", "[")  # the file as it was written


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_metric_row_opens_a_chart_with_the_incident_marks(demo_app, screen_text, settle, size):
    app = demo_app(demo=True, first_pane="timeline")
    async with app.run_test(size=size) as pilot:
        await _collected(app, pilot, settle)
        screen = await _open(app, pilot, settle, "error ratio rose")
        chart = screen.query_one(TimeChart)
        assert {m.name for m in chart.marks} == {"row", "detected", "mitigated", "resolved"}
        legend = str(screen.query_one("#evidence-legend").render())
        assert "D detected 10:06:45" in legend and "R resolved 11:40:00" in legend and "* this row" in legend
        text = screen_text(app)
        assert "10:00" in text and "11:00" in text  # the time axis
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # the line, in braille
        assert chart.render_ms < 50, chart.render_ms


async def test_outside_text_in_evidence_is_inert(demo_app, screen_text, settle, tmp_path):
    app = demo_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        data = (b"2025-02-09T10:05:20Z ok\n"
                b"2025-02-09T10:05:23Z \x1b]52;c;aGVsbG8=\x07 [bold red]not markup[/] \x1b[31mred\x1b[0m \xe2\x80\xae\n"
                b"2025-02-09T10:05:24Z next\n")
        folder = tmp_path / "api-degradation.evidence"
        folder.mkdir(exist_ok=True)
        (folder / "hostile.log").write_bytes(data)
        ev = Evidence("hostile.log", "logs", "kubernetes", "api-degradation.evidence/hostile.log",
                      hashlib.sha256(data).hexdigest(), size=len(data))
        pm = app.session.pm
        pm.evidence.append(ev)
        app.panes["timeline"].insert_event(TimelineEvent(at("10:05:23"), "hostile line", evidence=["hostile.log#L2"]))
        await settle(pilot)
        screen = await _open(app, pilot, settle, "hostile line")
        text = screen_text(app)
        assert "[bold red]not markup[/]" in text and "\u241b]52;c;" in text and "\x1b" not in text
        view = screen.query_one(EvidenceLines)
        assert "<U+202E>" in view.lines[1] and "\u241b[31mred" in view.lines[1]
        assert view.numbers[view.target] == 2


async def test_a_row_without_evidence_says_so(demo_app, settle):
    app = demo_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert not isinstance(app.screen, EvidenceScreen)
        assert any("no evidence references" in str(n.message) for n in app._notifications)


async def test_keys_typed_right_after_enter_go_where_enter_sent_them(demo_app, settle):
    """A burst: the filter's text, enter, then `o` and `asterisk` at once
    (posted together, as a slow link delivers them): the box keeps only
    the text, the table gets the keys after enter."""
    from textual import events

    app = demo_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"First 5xx")
        for key, char in (("enter", "\r"), ("asterisk", "*"), ("t", "t")):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        pane = app.panes["timeline"]
        assert pane.query_one("#timeline-filter").value == "First 5xx"
        (row,) = [e for e in pane.events if e.key]
        assert row.event == "First 5xx errors appear" and pane.key_only
