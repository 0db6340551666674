"""Blame language is marked where it stands in the timeline, as in the
Analysis, Actions and Report panes; names in the Actor column are not."""

from __future__ import annotations

from pmtui.model import TimelineEvent


def marked(strip) -> list[str]:
    return [seg.text for seg in strip if seg.style is not None and seg.style.underline]


async def test_blame_phrase_in_an_event_is_marked(demo_pm, open_app, settle):
    pm = demo_pm()
    pm.timeline.insert(1, TimelineEvent(pm.timeline[0].time, "Human error: config pushed by @dan", "chat", "@dan"))
    app = open_app(pm, "timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.active_pane.table
        rows = {i: e for i, e in enumerate(table.rows)}
        blamed = next(i for i, e in rows.items() if e.event.startswith("Human error"))
        clean = next(i for i, e in rows.items() if i != blamed)
        assert [t.lower() for t in marked(table.render_line(blamed + 1))] == ["human error"]
        assert marked(table.render_line(clean + 1)) == []
        # Edited away, the mark goes with it.
        app.active_pane.update_event(rows[blamed], {"event": "Config pushed without a canary stage"})
        await settle(pilot)
        row = next(i for i, e in enumerate(table.rows) if e.event.startswith("Config pushed"))
        assert marked(table.render_line(row + 1)) == []
