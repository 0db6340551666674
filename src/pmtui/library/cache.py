"""The library's cache: what was read from each file, keyed by its path,
size, mtime (and ctime and inode) and sha256, in the XDG cache folder.

The files are the truth. An entry is used without reading the file only
when size, mtime, ctime and inode all match and the file was last changed
well before the entry was made (ctime, which no tool can set, moves on
every write; a change within the timestamps' granularity of the reading
is "racy", as git calls it, and is checked by its hash). Otherwise the
file is read and hashed, and the entry used only if the hash matches.
A cache that cannot be read, is corrupt (its checksum does not match),
or was written by another pmtui or for other checks, is ignored and
rebuilt. `marshal` holds only plain values: loading it runs no code.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass
from pathlib import Path

from pmtui import checks
from pmtui.locations import cache_dir
from pmtui.model import SCHEMA_VERSION

FORMAT = 2
RACY_NS = 2_000_000_000  # changes this close to the reading are checked by hash
_MAGIC = b"pmtui-library-cache"


@dataclass(slots=True)
class Record:
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    seen_ns: int  # when the file was read (time.time_ns())
    sha256: bytes
    state: str  # ok | broken | newer | unreadable | skip
    payload: object  # summary.to_plain(...) for ok, the problem text otherwise
    team_key: bytes = b""  # the .pmtui.toml files in force when read (their paths and contents)

    def plain(self) -> tuple:
        return (self.size, self.mtime_ns, self.ctime_ns, self.ino, self.seen_ns, self.sha256, self.state,
                self.payload, self.team_key)

    def same_stat(self, st: os.stat_result) -> bool:
        return (st.st_size == self.size and st.st_mtime_ns == self.mtime_ns and st.st_ctime_ns == self.ctime_ns
                and st.st_ino == self.ino)

    def trusted(self, st: os.stat_result, team_key: bytes) -> bool:
        """Usable without reading the file (the team conventions unchanged)."""
        racy = self.seen_ns - RACY_NS
        return (self.same_stat(st) and st.st_ctime_ns < racy and st.st_mtime_ns < racy
                and team_key == self.team_key)


def _signature() -> bytes:
    """What the cached values depend on besides the file: the format, the
    schema, pmtui's version and its checks."""
    try:
        from importlib.metadata import version

        ver = version("pmtui")
    except Exception:  # not installed (a checkout on sys.path): the checks still key it
        ver = "?"
    ids = ",".join(cid for cid, _t, _f in checks.CHECKS)
    return hashlib.blake2b(f"{FORMAT}|{SCHEMA_VERSION}|{ver}|{ids}".encode(), digest_size=16).digest()


def cache_path(roots: list[Path]) -> Path:
    key = "\n".join(sorted(os.path.abspath(r) for r in roots))
    name = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    return cache_dir() / "library" / f"{name}.cache"


def load(path: Path) -> dict[str, Record]:
    """The records, or {} for a missing, unreadable, corrupt or foreign cache."""
    try:
        blob = path.read_bytes()
        head = len(_MAGIC) + 32
        if blob[: len(_MAGIC)] != _MAGIC or blob[len(_MAGIC) : len(_MAGIC) + 16] != _signature():
            return {}
        payload = memoryview(blob)[head:]
        if hashlib.blake2b(payload, digest_size=16).digest() != blob[len(_MAGIC) + 16 : head]:
            return {}
        raw = marshal.loads(payload)
        return {k: Record(*v) for k, v in raw.items()}
    except (OSError, EOFError, ValueError, TypeError):
        return {}


def save(path: Path, records: dict[str, Record]) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    from pmtui.filesafety.atomic import write_atomic

    payload = marshal.dumps({k: r.plain() for k, r in records.items()})
    blob = _MAGIC + _signature() + hashlib.blake2b(payload, digest_size=16).digest() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, blob, mode=0o600, durable=False)
    except OSError:
        pass
