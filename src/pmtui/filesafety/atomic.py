"""The one way pmtui replaces a file: a crash or `kill -9` at any moment
leaves the old content or the new one, never a mix. Used by the store, the
report, evidence, backups, the journal and the config. No Textual here."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


def default_mode(path: Path) -> int:
    """The mode a replaced file keeps, or what a new one gets (umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def mode_beside(doc: str | os.PathLike, path: str | os.PathLike | None = None) -> int:
    """The permission bits for a file written beside the post-mortem `doc`
    (evidence, a report, a recovered copy): what `path` would get (its own
    bits, or the umask's for a new file) with nothing wider than `doc`'s. A
    0600 post-mortem gets 0600 evidence even under umask 022."""
    wanted = default_mode(Path(path)) if path is not None else default_mode(Path(os.devnull + ".absent"))
    try:
        limit = Path(doc).stat().st_mode & 0o666
    except OSError:
        return wanted
    return wanted & limit


def dir_mode_beside(doc: str | os.PathLike) -> int:
    """A folder's bits beside `doc`: its read/write bits, each read bit
    with its search bit (0600 -> 0700, 0644 -> 0755)."""
    bits = mode_beside(doc)
    return bits | ((bits & 0o444) >> 2)


def refuse_read_only(path: Path, shown: str | os.PathLike | None = None) -> None:
    """The rename needs only the folder's permission, so it would replace a
    file this user may not write: refuse, as an editor does."""
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "read-only file, not replaced (make it writable, or save as "
                              "another file)", str(shown if shown is not None else path))


def write_atomic(path: str | os.PathLike, data: bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Replace `path` with `data`: temporary file in the same folder, fsync,
    rename, fsync of the folder (so the rename itself survives a power cut).
    `mode` None keeps the existing file's permission bits. `durable=False`
    skips both fsyncs (the journal: it guards against the process dying,
    not the machine)."""
    write_atomic_chunks(path, (data,), mode=mode, durable=durable)


def write_atomic_chunks(path: str | os.PathLike, chunks: Iterable[bytes | memoryview], *, mode: int | None = None,
                        durable: bool = True) -> None:
    """write_atomic for data that comes in pieces (a big file encoded a
    piece at a time on a writer thread): the same temporary file, fsync
    and rename, so a kill at any moment leaves the old file or the new."""
    path = Path(path)
    folder = path.parent
    if mode is None:
        mode = default_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(folder)


def write_atomic_buffers(path: str | os.PathLike, buffers: Sequence[bytes | memoryview], *,
                         mode: int | None = None, durable: bool = True) -> None:
    """write_atomic_chunks for pieces already in memory (a save's encoded
    text): written with os.writev, a thousand pieces a call, with no copy
    into a buffer first."""
    if not hasattr(os, "writev"):  # pragma: no cover - every POSIX system has it
        write_atomic_chunks(path, buffers, mode=mode, durable=durable)
        return
    path = Path(path)
    folder = path.parent
    if mode is None:
        mode = default_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            os.fchmod(fd, mode)
            _writev_all(fd, buffers)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(folder)


def _writev_all(fd: int, buffers: Sequence[bytes | memoryview]) -> None:
    batch = _IOV_MAX
    for at in range(0, len(buffers), batch):
        part = [memoryview(b) for b in buffers[at : at + batch]]
        left = sum(len(b) for b in part)
        while left:
            written = os.writev(fd, part)
            left -= written
            while part and written >= len(part[0]):  # drop what went, keep the rest of a piece cut short
                written -= len(part[0])
                part.pop(0)
            if written:
                part[0] = part[0][written:]


# Pieces per writev call (the kernel's IOV_MAX is 1024 on Linux).
_IOV_MAX = 1024


def fsync_dir(folder: Path) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:  # some filesystems refuse fsync on a folder; the rename is done
        pass
    finally:
        os.close(dfd)
