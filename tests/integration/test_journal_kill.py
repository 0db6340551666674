"""kill -9 at any moment of the journal's work: every journal write that
returned is recoverable, base and log alike.

A forked child opens a post-mortem of 3,000 events, makes edits of every
kind (values, inserted, deleted and moved rows) and journals after each one
(the appended log, and every so often a new base), writing the number of
each journal write that returned to a pipe; it is SIGKILLed after a random
delay. The recovered text must be the text of the last acknowledged write
or of the one after it (written but not yet acknowledged), never anything
else. PMTUI_JOURNAL_KILLS raises the count.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from datetime import timedelta

from pmtui import model as m
from pmtui import store
from pmtui.filesafety import journal as jmod
from pmtui.filesafety.journal import Journal, JournalWriter, find_recovery
from pmtui.sample import many_events

KILLS = int(os.environ.get("PMTUI_JOURNAL_KILLS", "60"))
STEPS = 400


def edit(pm: m.PostMortem, k: int) -> None:
    rows = pm.timeline
    rng = random.Random(k)
    kind = k % 5
    if kind == 0:
        rows[rng.randrange(len(rows))].event = f"edited {k} — naïve \"q\""
    elif kind == 1:
        at = rng.randrange(len(rows))
        rows.insert(at, m.TimelineEvent(rows[at].time, f"inserted {k}", kind="action"))
    elif kind == 2:
        del rows[rng.randrange(len(rows))]
    elif kind == 3:
        row = rows.pop(rng.randrange(len(rows)))
        row.time += timedelta(seconds=1)
        rows.insert(rng.randrange(len(rows)), row)
    else:
        pm.title = f"title {k}"


def expected_texts(path) -> list[str]:
    """The text after each step, as the child computes it (deterministic)."""
    doc = store.load(path)
    out = []
    for k in range(STEPS):
        edit(doc.pm, k)
        out.append(store.dumps(doc))
    return out


def test_kill_9_while_journaling_loses_no_acknowledged_write(tmp_path, monkeypatch):
    monkeypatch.setattr(jmod, "COMPACT_ENTRIES", 25)  # new bases often, so kills land in them too
    path = tmp_path / "pm.toml"
    store.save(store.new_document(many_events(3_000), path))
    texts = expected_texts(path)
    root = tmp_path / "state"
    rng = random.Random(20250209)
    outcomes = {"acked": 0, "one_more": 0}
    for _ in range(KILLS):
        Journal(path, root=root).clear()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the editor
            try:
                os.close(read_fd)
                doc = store.load(path)
                writer = JournalWriter(Journal(path, root=root), document=lambda doc=doc: doc)
                for k in range(STEPS):
                    edit(doc.pm, k)
                    writer.changed()
                    writer._skip_until = 0.0
                    writer.flush(force=True)
                    os.write(write_fd, f"{k}\n".encode())
            finally:
                os._exit(0)
        os.close(write_fd)
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acked = -1
        data = b""
        while select.select([read_fd], [], [], 0)[0]:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            data += chunk
        os.close(read_fd)
        lines = [ln for ln in data.decode().split("\n") if ln]
        if lines:
            acked = int(lines[-1])
        recovery = find_recovery(path, root=root)
        got = recovery.text if recovery is not None else path.read_text(encoding="utf-8")
        if acked >= 0:
            candidates = {texts[acked]: "acked"}
            if acked + 1 < STEPS:
                candidates[texts[acked + 1]] = "one_more"
            assert got in candidates, f"after write {acked}: the journal holds something else"
            outcomes[candidates[got]] += 1
    assert outcomes["acked"] > 0
    print(f"kills while journaling: {KILLS}; recovered the last acknowledged write {outcomes['acked']} times, "
          f"the one being acknowledged {outcomes['one_more']} times")
