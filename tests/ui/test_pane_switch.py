"""Showing a pane: the garbage collector waits for the switch's frames,
and the panes not shown yet are imported once the file is open
(benchmarks/bench_timeline.py --only switch measures the frames)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap

from pmtui.ui.app import COLLECTOR_HOLD


async def _until(pilot, condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_collector_waits_for_a_pane_switch_then_runs_again(make_app, settle):
    assert gc.isenabled()
    app = make_app(first_pane="timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert await _until(pilot, gc.isenabled)
        await app.show_pane("report")
        assert app.active_pane is app.panes["report"]
        assert not gc.isenabled()
        await app.show_pane("timeline")  # another switch keeps it waiting
        assert not gc.isenabled()
        assert await _until(pilot, gc.isenabled, COLLECTOR_HOLD * 25)
        # Left while it waits: the collector is back once the app is gone.
        await app.show_pane("analysis")
        assert not gc.isenabled()
    assert gc.isenabled()


def test_panes_not_shown_are_imported_once_the_file_is_open(tmp_path, repo_root):
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys
        from pathlib import Path
        from pmtui import store
        from pmtui.cli.app import copy_demo
        from pmtui.ui.app import PANES, PmApp

        app = PmApp(store.load(copy_demo(Path({str(tmp_path)!r}))), first_pane="timeline", demo=True)
        names = [f"pmtui.ui.panes.{{p.name}}" for p in PANES]
        seen = {{}}

        async def run():
            async with app.run_test(size=(80, 24)) as pilot:
                seen["at start"] = [n for n in names if n in sys.modules]
                for _ in range(200):
                    if all(n in sys.modules for n in names):
                        break
                    await pilot.pause(0.05)
                seen["later"] = [n for n in names if n in sys.modules]
                seen["built"] = sorted(app.panes)

        asyncio.run(run())
        print(json.dumps(seen))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=repo_root, timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["at start"] == ["pmtui.ui.panes.timeline"]
    assert len(seen["later"]) == 6
    assert seen["built"] == ["timeline"]  # imported, not built: nothing mounted, nothing subscribed


async def test_a_pane_shown_while_the_file_is_read_hears_of_rows_once_mounted(tmp_path):
    """A key can show a pane while a big file's rows are still being read:
    the reader's progress (20 times a second) must not reach the pane
    before its widgets are there (the timeline's table: NoMatches, the app
    gone), and the pane shows every row once read."""
    import asyncio

    from pmtui import store
    from pmtui.sample import large_postmortem
    from pmtui.ui.app import PmApp

    path = tmp_path / "big.toml"
    store.save(store.new_document(large_postmortem(20_000), path))
    loading = store.Loading(path)
    app = PmApp(loading.document, loading=loading, first_pane="overview", blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await _until(pilot, lambda: app.loading is not None and app.loading_state() is not None)
        shown = asyncio.get_running_loop().create_task(app.show_pane("timeline"))
        await asyncio.sleep(0)  # the pane is the app's now, its mounting under way
        assert "timeline" in app.panes and not app.panes["timeline"].is_mounted
        app._loading_progress()
        await shown
        assert await _until(pilot, lambda: app.loading is None, 30)
        await pilot.pause(0.2)
        assert len(app.panes["timeline"].table.rows) == 20_000
