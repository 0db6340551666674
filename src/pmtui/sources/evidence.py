"""Evidence files beside the post-mortem: redacted, written atomically,
checksummed and referenced by a path relative to the post-mortem's folder.

Every source writes raw data through `write_evidence`, so no source can
forget the redaction or leave a half-written file behind a crash.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pmtui.filesafety.atomic import dir_mode_beside, mode_beside, write_atomic
from pmtui.model import Evidence, PostMortem
from pmtui.redact import redact, redact_bytes
from pmtui.sources.base import Context

_UNSAFE_NAME_RE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_PART = 120


def safe_name(name: str) -> str:
    """A relative path of plain parts: no absolute path, no `..`, no hidden
    file, nothing a shell or another OS would trip on (pod and query names
    come from outside)."""
    parts = []
    for raw in name.replace("\\", "/").split("/"):
        part = _UNSAFE_NAME_RE.sub("_", raw).lstrip(".")[:_MAX_PART]
        if part:
            parts.append(part)
    return "/".join(parts) or "_"


def evidence_dir_for(doc_path: Path) -> Path:
    """`NAME.evidence/` beside `NAME.toml`."""
    return doc_path.with_name(doc_path.stem + ".evidence")


def write_evidence(
    ctx: Context,
    kind: str,
    source: str,
    name: str,
    data: bytes,
    query: str = "",
) -> Evidence:
    """Redact `data`, write it to `ctx.evidence_dir / name` and describe it.

    The record's id is the file's path inside the evidence folder, so writing
    the same name again (a second collection) replaces both the file and, in
    the orchestrator, the record that points at it.
    """
    rel_name = safe_name(name)
    target = ctx.evidence_dir / rel_name
    clean = redact_bytes(data)
    mode = None
    if ctx.doc_path is not None:
        _private_dirs(ctx.evidence_dir, target.parent, dir_mode_beside(ctx.doc_path))
        mode = mode_beside(ctx.doc_path, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, clean, mode=mode)
    try:
        path = target.relative_to(ctx.base_dir).as_posix()
    except ValueError:
        # Evidence outside the document's folder would need an absolute path,
        # which the file must never hold; keep the name only.
        path = rel_name
    return Evidence(
        id=rel_name,
        kind=kind,
        source=source,
        path=path,
        sha256=hashlib.sha256(clean).hexdigest(),
        query=redact(query),
        window_start=ctx.window.start,
        window_end=ctx.window.end,
        fetched=datetime.now(UTC).replace(microsecond=0),
        size=len(clean),
    )


def _private_dirs(root: Path, folder: Path, mode: int) -> None:
    """`folder` (inside the evidence folder `root`) created with `mode`, and
    any folder of the chain that is wider narrowed to it: a 0600 post-mortem
    had world-readable 0755 evidence folders."""
    folder.mkdir(parents=True, exist_ok=True, mode=mode)
    for part in [folder, *folder.relative_to(root).parents]:
        path = root / part if part != folder else folder
        try:
            current = path.stat().st_mode & 0o777
            if current & ~mode:
                os.chmod(path, current & mode)
        except OSError:
            pass


def verify(evidence: Evidence, base_dir: Path) -> str | None:
    """None when the file is there with the recorded checksum, else why not."""
    target = base_dir / evidence.path
    try:
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
    except OSError as exc:
        return f"{evidence.path}: cannot read ({exc.strerror or exc})"
    if digest != evidence.sha256:
        return f"{evidence.path}: sha256 {digest} differs from the recorded {evidence.sha256}"
    return None


def copy_evidence(pm: PostMortem, old_folder: Path, new_folder: Path) -> str:
    """Copy the files `pm`'s evidence references from `old_folder` to the
    same relative paths under `new_folder` (a save as into another
    folder), never replacing a file there. Returns what could not be
    copied, in one sentence, or "" when all was."""
    import shutil

    if old_folder.resolve() == new_folder.resolve():
        return ""
    missing: list[str] = []
    for evidence in pm.evidence:
        source, target = old_folder / evidence.path, new_folder / evidence.path
        if target.exists():
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        except OSError as exc:
            missing.append(f"{evidence.path} ({exc.strerror or exc})")
    if not missing:
        return ""
    return f"Evidence not copied to {new_folder}: " + ", ".join(missing[:3]) + (
        f" and {len(missing) - 3} more" if len(missing) > 3 else "")


# -- references from timeline rows ----------------------------------------------------

_LINE_REF_RE = re.compile(r"^L(\d+)$")
_LABEL_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:\\.|[^"\\])*)"\s*(?:,|$)')


@dataclass(frozen=True)
class EvidenceRef:
    """A row's evidence reference, read: the evidence id, and where in it
    to open (a log line, or the labels of one series)."""

    raw: str
    id: str
    line: int | None = None
    series: dict[str, str] | None = None


def parse_ref(text: str) -> EvidenceRef:
    """`ID`, `ID#L120`, `ID#series={job="api"}` (sources.base.ref writes
    them). Anything after a `#` that is neither is kept as the id's
    fragment and ignored: the evidence still opens, at its top."""
    ident, sep, fragment = text.partition("#")
    if not sep:
        return EvidenceRef(text, text)
    m = _LINE_REF_RE.match(fragment)
    if m is not None:
        return EvidenceRef(text, ident, line=int(m.group(1)))
    if fragment.startswith("series="):
        return EvidenceRef(text, ident, series=parse_labels(fragment.removeprefix("series=")))
    return EvidenceRef(text, ident)


def parse_labels(text: str) -> dict[str, str]:
    """`{a="x", b="y"}` (prometheus.label_text) as a dict; {} for `{}` or text
    of another shape."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return {}
    body = body[1:-1]
    out: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        m = _LABEL_RE.match(body, pos)
        if m is None:
            return out
        out[m.group(1)] = re.sub(r"\\(.)", r"\1", m.group(2))
        pos = m.end()
    return out


def series_matches(labels: dict[str, str], wanted: dict[str, str]) -> bool:
    """A series answers a reference when it holds every label the
    reference names (a reference may name fewer: kube-state-metrics' own
    job and instance labels are left out of a restart's)."""
    return all(labels.get(k) == v for k, v in wanted.items())
