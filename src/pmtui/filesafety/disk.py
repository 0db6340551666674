"""Keeping a post-mortem file safe on disk: atomic private writes, the
fingerprint of a file as it was opened (to notice another editor or a
`git pull` changing it underneath us), and the backup of the previous
version kept on every save. No Textual here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pmtui.filesafety.atomic import fsync_dir, write_atomic  # noqa: F401 - the journal and backups write through it

BACKUP_SUFFIX = ".bak"


def state_root() -> Path:
    """pmtui's folder in the user's state directory (XDG_STATE_HOME)."""
    from pmtui.locations import state_dir

    return state_dir()


def private_dir(path: Path) -> Path:
    """`path` created if missing, readable only by the user: journals hold
    whole post-mortems, which may be confidential."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def key_for(path: str | os.PathLike[str]) -> str:
    """A file name standing for one post-mortem path: its base name (to be
    recognisable when someone looks in the folder) and a hash of its real
    absolute path (so two files named the same never share a journal)."""
    real = os.path.realpath(os.path.abspath(os.fspath(path)))
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:20]
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in os.path.basename(real))[:40]
    return f"{stem}-{digest}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What a file looked like when we last read or wrote it."""

    mtime_ns: int
    size: int
    sha256: str


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint | None:
    """The file's fingerprint now; None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return None
    return Fingerprint(st.st_mtime_ns, st.st_size, sha256_bytes(data))


def changed_since(before: Fingerprint | None, path: str | os.PathLike[str]) -> bool:
    """Has the file at `path` changed since `before` was taken? Content
    decides: a `touch` or a checkout of identical bytes is not a change, so
    the size and mtime only save hashing when they already match."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return before is not None
    if before is None:
        return True
    if st.st_size != before.size:
        return True
    if st.st_mtime_ns == before.mtime_ns:
        return False
    now = fingerprint(path)
    return now is None or now.sha256 != before.sha256


def backup_path(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


class BackupError(OSError):
    """The backup could not be made; the message says where and why (the
    caller reports it and may save all the same: the save is atomic)."""


def backup(path: str | os.PathLike[str]) -> Path | None:
    """Keep the current version of `path` as NAME.toml.bak before it is
    replaced. A hard link costs no copy and is made atomically (link to a
    temporary name, rename over the old backup); where links are refused
    (some network and FAT filesystems) the bytes are copied instead.
    Returns the backup's path, or None when there was nothing to keep;
    raises BackupError naming the backup when it cannot be made.

    The temporary name is random and created exclusively (link() never
    follows or replaces an existing name): in a shared sticky folder another
    user could pre-create a predictable one and make every save fail."""
    src = Path(path)
    if not src.is_file():
        return None
    dest = backup_path(src)
    try:
        tmp = _link_to_fresh_name(src, dest)
    except BackupError:
        raise
    except OSError:
        tmp = None
    try:
        if tmp is None:  # no hard links here: a private copy, atomically
            st = src.stat()
            write_atomic(dest, src.read_bytes(), mode=st.st_mode & 0o777)
            return dest
        os.replace(tmp, dest)
    except OSError as exc:
        raise BackupError(exc.errno, f"backup not written: {exc.strerror or exc}", str(dest)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return dest


def _link_to_fresh_name(src: Path, dest: Path) -> Path:
    """A hard link to `src` under a new random name beside `dest`."""
    import secrets

    for _ in range(16):
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(8)}.tmp")
        try:
            os.link(src, tmp)
            return tmp
        except FileExistsError:
            continue
    raise BackupError(17, "backup not written: no free temporary name", str(dest))
