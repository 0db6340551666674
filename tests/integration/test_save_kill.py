"""kill -9 at any moment of a save leaves the old file or the new one, whole.

A forked child saves two versions of a post-mortem in turn, as the app does
(backup of the previous version, then store.save: temporary file, fsync,
rename, fsync of the folder), and is SIGKILLed after a random delay; after
each kill the file must be byte-for-byte one of the two versions, load
cleanly and keep its permissions. PMTUI_SAVE_KILLS raises the count.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import time

from pmtui import store
from pmtui.filesafety.disk import backup, backup_path
from pmtui.sample import large_postmortem

KILLS = int(os.environ.get("PMTUI_SAVE_KILLS", "250"))


def test_kill_9_during_save_leaves_old_or_new_file_whole(tmp_path):
    path = tmp_path / "incident.toml"
    pm = large_postmortem(400)  # ~100 KB: a save takes long enough to be hit mid-write
    doc_a = store.new_document(pm, path)
    store.save(doc_a)
    os.chmod(path, 0o640)
    version_a = path.read_bytes()
    doc_b = store.load(path)
    doc_b.pm.title = "Version B " + "x" * 50
    doc_b.pm.timeline[0].event = "changed in B"
    version_b = store.dumps(doc_b).encode()
    assert version_a != version_b
    versions = {version_a: "A", version_b: "B"}

    # Loaded before forking, so each child starts saving at once.
    docs = (store.load(path), store.load(path))
    docs[1].pm.title = doc_b.pm.title
    docs[1].pm.timeline[0].event = doc_b.pm.timeline[0].event
    assert store.dumps(docs[1]).encode() == version_b

    rng = random.Random(20250209)
    seen = {"A": 0, "B": 0}
    mid_write = 0  # kills that left a temporary file: the child died inside a save
    survived = 0
    for _ in range(KILLS):
        pid = os.fork()
        if pid == 0:  # the saver
            try:
                while True:
                    for doc in docs:
                        backup(path)
                        store.save(doc)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        data = path.read_bytes()
        assert data in versions, f"kill left a torn file of {len(data)} bytes"
        seen[versions[data]] += 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        bak = backup_path(path)
        if bak.exists():
            assert bak.read_bytes() in versions
        leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if leftovers:
            mid_write += 1
            for p in leftovers:  # what a crash leaves; never mistaken for the file
                p.unlink()
        survived += 1
    assert store.load(path).pm.id == pm.id
    # The kills landed at different moments: both versions were seen on
    # disk, and some kills caught the saver with a temporary file open.
    assert seen["A"] > 0 and seen["B"] > 0
    assert mid_write > 0
    print(f"kills during save survived: {survived}/{KILLS} (file A {seen['A']}, B {seen['B']}, mid-write {mid_write})")
