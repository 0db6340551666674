"""kill -9 at any moment of a save leaves the old file or the new one, whole.

A forked child saves two versions of a post-mortem in turn, as the app does
(backup of the previous version, then store.save: temporary file, fsync,
rename, fsync of the folder), and is SIGKILLed; after each kill the file
must be byte-for-byte one of the two versions, load cleanly and keep its
permissions. PMTUI_SAVE_KILLS raises the count.

Where the kill lands does not depend on how busy the machine is. The child
reports each step of its saves on a pipe (a temporary file made, an
fsync, a rename: `os` and `tempfile` wrapped in the child only), and the
parent waits for those reports, never for a length of time:

- half the kills stop the child at a step chosen at random (the child
  waits there on a second pipe and is killed waiting): inside the write,
  between the fsync and the rename, after the rename, in the backup;
- the other half let it run: the parent waits until the child has made
  its first temporary file (it has really started writing), lets it go on
  for a random 0-20 ms, and kills it wherever it is.
"""

from __future__ import annotations

import os
import random
import select
import signal
import stat
import tempfile
import time

from pmtui import store
from pmtui.filesafety.disk import backup, backup_path
from pmtui.sample import large_postmortem

KILLS = int(os.environ.get("PMTUI_SAVE_KILLS", "250"))
STEPS = 15  # a paused kill stops at one of the first STEPS steps: three rounds of saves
WAIT = 120.0  # seconds a child may take to report a step on a loaded machine before the test fails


def _saver(docs, path, report: int, gate: int, pause_at: int) -> None:
    """The child: saves forever, reporting each step on `report` (one byte:
    t temporary file made, f fsync, r rename); at step `pause_at` (0: never)
    it waits on `gate`, which never answers."""
    real_mkstemp, real_fsync, real_replace = tempfile.mkstemp, os.fsync, os.replace
    count = [0]

    def step(mark: bytes) -> None:
        count[0] += 1
        os.write(report, mark)
        if count[0] == pause_at:
            os.read(gate, 1)  # killed here

    def mkstemp(*args, **kwargs):
        made = real_mkstemp(*args, **kwargs)
        step(b"t")
        return made

    def fsync(fd: int) -> None:
        step(b"f")
        real_fsync(fd)

    def replace(src, dst) -> None:
        step(b"r")
        real_replace(src, dst)

    tempfile.mkstemp, os.fsync, os.replace = mkstemp, fsync, replace
    while True:
        for doc in docs:
            backup(path)
            store.save(doc)


def _read_until(fd: int, done, what: str) -> bytes:
    """Bytes from the child's report pipe until `done(bytes so far)`."""
    got = b""
    deadline = time.monotonic() + WAIT
    while not done(got):
        left = deadline - time.monotonic()
        assert left > 0, f"the saving child never reported {what} (reported {got!r})"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"the saving child died before {what} (reported {got!r})"
            got += chunk
    return got


def test_kill_9_during_save_leaves_old_or_new_file_whole(tmp_path):
    path = tmp_path / "incident.toml"
    pm = large_postmortem(400)  # ~100 KB
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
    paused_at: dict[bytes, int] = {}  # the step a paused child was killed at -> how often
    survived = 0
    for n in range(KILLS):
        pause_at = rng.randint(1, STEPS) if n % 2 == 0 else 0
        report_r, report_w = os.pipe()
        gate_r, gate_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the saver
            try:
                os.close(report_r)
                os.close(gate_w)
                _saver(docs, path, report_w, gate_r, pause_at)
            finally:
                os._exit(0)
        os.close(report_w)
        os.close(gate_r)
        try:
            if pause_at:
                got = _read_until(report_r, lambda b, k=pause_at: len(b) >= k, f"step {pause_at}")
                paused_at[got[pause_at - 1 : pause_at]] = paused_at.get(got[pause_at - 1 : pause_at], 0) + 1
            else:
                _read_until(report_r, lambda b: b"t" in b, "its first temporary file")
                time.sleep(rng.uniform(0.0, 0.02))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        finally:
            os.close(report_r)
            os.close(gate_w)
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
    # Both versions were on disk after some kill, some kills caught the
    # saver with its temporary file written but not renamed, and the paused
    # kills stopped it at every kind of step.
    assert seen["A"] > 0 and seen["B"] > 0
    assert mid_write > 0
    assert set(paused_at) == {b"t", b"f", b"r"}, paused_at
    print(f"kills during save survived: {survived}/{KILLS} (file A {seen['A']}, B {seen['B']}, "
          f"mid-write {mid_write}; paused at {dict(sorted(paused_at.items()))})")
