"""The one redaction layer: secrets out of everything written or shown.

Collection, evidence, the report, logs and notices all pass outside text
through `redact` (str) or `redact_bytes` (bytes, for logs that are not
valid UTF-8). Each secret becomes `«redacted:KIND»`; guillemets rather
than square brackets so a redaction can never be mistaken for Rich markup.

Users add rules in ~/.config/pmtui/redact.toml ($XDG_CONFIG_HOME honoured):

    patterns = ["corp-[0-9a-f]{32}", { name = "vault", pattern = "hvs\\.[A-Za-z0-9]{24,}" }]

A rule with a group named `secret` redacts only that group (keep the key,
hide the value); otherwise the whole match goes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import AnyStr

MARK = "\u00abredacted:{}\u00bb"  # «redacted:kind»


class RedactConfigError(ValueError):
    """The user's redaction config cannot be used; the message names the
    file, the entry and what was expected."""


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str  # a group named `secret`, if present, is the part replaced


def _ci(words: str, tail: str) -> list[str]:
    """Branches matching any of `words` (a|b|c) in any case, each starting
    with a plain literal character: both cases of the first letter, the
    rest case-insensitive. See `_builtin_regex` for why."""
    by_first: dict[str, list[str]] = {}
    for word in words.split("|"):
        by_first.setdefault(word[0].lower(), []).append(word[1:])
    out = []
    for first, rests in by_first.items():
        for head in dict.fromkeys((first, first.upper())):
            out.append(f"{head}(?i:{'|'.join(rests)}){tail}")
    return out


# A value: a quoted string (escapes allowed), or a bare run up to a delimiter.
_VALUE = (
    r"""(?:(?<=\\")[^"\\\r\n]+|(?<=")(?:\\.|[^"\\\r\n])+|(?<=')(?:\\.|[^'\\\r\n])+"""
    r"""|[^\s"',;&}\]\\<>]+)"""
)
_KEY_WORDS = (
    "password|passwd|pwd|secret|token|api_key|api-key|apikey|access_key|access-key"
    "|auth_key|auth-key|private_key|private-key|credential|routing_key|routing-key|integration_key"
    "|integration-key|service_key|service-key"
)

# name -> branches. Every branch starts with one literal character; the
# secret part, when not the whole match, is a group named `secret` (or `dsn`).
_BUILTIN: tuple[tuple[str, list[str]], ...] = (
    ("private-key", [
        r"-----BEGIN[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----"
        r"(?P<secret>[\s\S]*?(?:-----END[ A-Z0-9]{0,40} PRIVATE KEY(?: BLOCK)?-----|\Z))",
    ]),
    ("authorization", _ci(
        "authorization",
        r"""\\?["']?[ \t]*[:=][ \t]*\\?["']?\[?"""
        r"(?i:(?:bearer|basic|token|digest|negotiate|apikey|aws4-hmac-sha256)[ \t]+)?"
        r"""(?P<secret>[^\s"'\\\]]+)""",
    )),
    ("bearer", _ci("bearer", r"[ \t]+(?P<secret>(?=[A-Za-z0-9._~+/-]*[0-9._~+/-])[A-Za-z0-9._~+/-]{8,}=*)")),
    ("jwt", [r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"]),
    ("github-token", [r"gh[pousr]_[A-Za-z0-9]{20,255}\b", r"github_pat_[A-Za-z0-9_]{22,255}"]),
    ("gitlab-token", [r"glpat-[A-Za-z0-9_-]{20,}"]),
    ("slack-token", [r"xox[abeprs]-[A-Za-z0-9-]{10,}", r"xapp-\d-[A-Za-z0-9-]{10,}"]),
    # An incoming webhook's URL is its credential: the host stays, the path goes.
    ("slack-webhook", [r"hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_/-]{10,})"]),
    ("pagerduty-token", [r"pd(?:us|as|ac)\+_[A-Za-z0-9_-]{20,}"]),
    ("stripe-key", [r"sk_(?:live|test)_[A-Za-z0-9]{16,}", r"rk_(?:live|test)_[A-Za-z0-9]{16,}"]),
    ("aws-access-key-id", [r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)[A-Z0-9]{16}\b"]),
    # scheme://user:password@host and user:pass@tcp(host)/db (Go MySQL DSN);
    # the scheme and user stay. One branch, as both start with ':'.
    ("url-password", [
        r""":(?://[^/\s:@"'<>]{0,256}:(?P<secret>[^@\s/"'<>]{1,512})(?=@)"""
        r"""|(?P<dsn>[^@\s/:"']{1,512})(?=@(?:tcp|unix)\())"""
    ]),
    ("secret-value", _ci(
        _KEY_WORDS,
        r"""[A-Za-z0-9_.-]{0,40}\\?["']?[ \t]*(?:=>|=|:)[ \t]*\\?["']?(?P<secret>""" + _VALUE + ")",
    )),
)

BUILTIN_NAMES = tuple(name for name, _ in _BUILTIN)

_Marks = dict[str, tuple[str, tuple[str, ...]]]  # group -> (rule name, secret groups)


def _builtin_regex() -> tuple[str, _Marks]:
    """One top-level alternation whose branches all begin with a literal
    character. The regex engine then skips, in C, every position whose
    character starts no branch; a branch starting with a class, a group or
    \\b makes it try every branch at every byte (3 MB/s instead of 100+)."""
    branches: list[str] = []
    marks: _Marks = {}
    for i, (name, alternatives) in enumerate(_BUILTIN):
        for j, body in enumerate(alternatives):
            tag = f"{i}_{j}"
            secrets = []
            for group in ("secret", "dsn"):
                if f"(?P<{group}>" in body:
                    body = body.replace(f"(?P<{group}>", f"(?P<{group}{tag}>")
                    secrets.append(f"{group}{tag}")
            # An empty group closed last names the branch (`lastgroup`).
            branches.append(f"{body}(?P<m{tag}>)")
            marks[f"m{tag}"] = (name, tuple(secrets))
    return "|".join(branches), marks


def _str_replacer(marks: _Marks) -> Callable[[re.Match[str]], str]:
    return _replace_with({key: (MARK.format(name), secrets) for key, (name, secrets) in marks.items()})


def _bytes_replacer(marks: _Marks) -> Callable[[re.Match[bytes]], bytes]:
    return _replace_with({key: (MARK.format(name).encode(), secrets) for key, (name, secrets) in marks.items()})


def _replace_with(rendered: dict[str | None, tuple[AnyStr, tuple[str, ...]]]) -> Callable[[re.Match[AnyStr]], AnyStr]:
    """re.sub's replacement: the mark of the branch that matched (named by
    its closing empty group, or "" for a rule of its own), over the secret
    groups only when the rule has them."""
    single = rendered.get("")

    def replace(m: re.Match[AnyStr]) -> AnyStr:
        # Every builtin branch ends in a named group, so lastgroup is set.
        mark, secrets = single if single is not None else rendered[m.lastgroup]
        for group in secrets:
            start, end = m.span(group)
            if start != -1:
                whole, base = m.group(), m.start()
                return whole[: start - base] + mark + whole[end - base :]
        return mark

    return replace


class Redactor:
    """The builtin rules as one regex, then each of `extra` (regex strings
    or Rule) on its own: a user's rule usually starts with a literal prefix,
    which the engine finds fast by itself. Compiled for str and for bytes."""

    def __init__(self, extra: Iterable[str | Rule] = (), *, builtin: bool = True) -> None:
        self.extra = tuple(item if isinstance(item, Rule) else Rule("custom", item) for item in extra)
        # The builtin rules' bytes pattern is compiled on first use: the app
        # redacts only text before its first frame, and compiling costs 10 ms.
        passes: list[tuple[re.Pattern[str], re.Pattern[bytes] | str, _Marks]] = []
        if builtin:
            source, marks = _builtin_regex()
            passes.append((re.compile(source), source, marks))
        for rule in self.extra:
            try:
                pattern = re.compile(rule.pattern)
                bpattern = re.compile(rule.pattern.encode("utf-8"))
            except (re.error, UnicodeEncodeError) as exc:
                raise RedactConfigError(
                    f"redaction rule {rule.name!r}: {rule.pattern!r} is not a regular expression: {exc}"
                ) from None
            if pattern.match(""):
                raise RedactConfigError(f"redaction rule {rule.name!r}: {rule.pattern!r} matches the empty string")
            secrets = ("secret",) if "secret" in pattern.groupindex else ()
            passes.append((pattern, bpattern, {"": (rule.name, secrets)}))
        self._str_subs = [(p, _str_replacer(marks)) for p, _, marks in passes]
        self._bytes_passes = [(b, marks) for _, b, marks in passes]
        self._bytes_ready: list[tuple[re.Pattern[bytes], Callable[[re.Match[bytes]], bytes]]] | None = None

    @property
    def _bytes_subs(self) -> list[tuple[re.Pattern[bytes], Callable[[re.Match[bytes]], bytes]]]:
        if self._bytes_ready is None:
            self._bytes_ready = [
                (re.compile(b.encode()) if isinstance(b, str) else b, _bytes_replacer(marks))
                for b, marks in self._bytes_passes
            ]
        return self._bytes_ready

    def redact(self, text: str) -> str:
        if not text:
            return text
        for pattern, replace in self._str_subs:
            text = pattern.sub(replace, text)
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        if not data:
            return bytes(data)
        data = bytes(data)
        for pattern, replace in self._bytes_subs:
            data = pattern.sub(replace, data)
        return data

    def stream(self, chunks: Iterable[bytes], *, hold_limit: int = 1 << 20) -> Iterator[bytes]:
        """Redact a byte stream chunk by chunk without holding all of it.

        Output is cut at line ends so no secret is split between two scans;
        an open private-key block is held until its END line (or until
        `hold_limit` bytes, after which it is redacted to the end)."""
        pending = b""
        for chunk in chunks:
            if not chunk:
                continue
            pending += chunk
            cut = pending.rfind(b"\n") + 1
            if cut == 0:
                if len(pending) < hold_limit:
                    continue
                cut = len(pending)
            begin = pending.rfind(b"-----BEGIN", 0, cut)
            if begin != -1 and pending.find(b"-----END", begin, cut) == -1 and len(pending) - begin < hold_limit:
                cut = pending.rfind(b"\n", 0, begin) + 1
            if cut:
                yield self.redact_bytes(pending[:cut])
                pending = pending[cut:]
        if pending:
            yield self.redact_bytes(pending)


# -- the user's extra rules ------------------------------------------------------


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pmtui" / "redact.toml"


def load_extra_patterns(path: str | os.PathLike[str]) -> list[Rule]:
    """Rules from a redact.toml; a missing file means none. Raises
    RedactConfigError naming the file and entry for anything unusable."""
    import tomllib

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise RedactConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RedactConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RedactConfigError(f"{path}: {exc}") from None
    unknown = sorted(set(data) - {"patterns"})
    if unknown:
        raise RedactConfigError(f"{path}: unknown key {unknown[0]!r}; expected only patterns = [\"regex\", ...]")
    entries = data.get("patterns", [])
    if not isinstance(entries, list):
        raise RedactConfigError(
            f"{path}: patterns: expected a list of regular expressions, got {type(entries).__name__}"
        )
    rules: list[Rule] = []
    for n, entry in enumerate(entries, 1):
        where = f"{path}: patterns[{n}]"
        if isinstance(entry, str):
            name, pattern = "custom", entry
        elif isinstance(entry, dict) and isinstance(entry.get("pattern"), str):
            name, pattern = str(entry.get("name") or "custom"), entry["pattern"]
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
                raise RedactConfigError(f"{where}: name {name!r}: expected 1-40 letters, digits, - or _")
        else:
            raise RedactConfigError(f'{where}: expected a string or {{ name = "...", pattern = "..." }}')
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise RedactConfigError(f"{where}: {pattern!r} is not a regular expression: {exc}") from None
        if compiled.match(""):
            raise RedactConfigError(f"{where}: {pattern!r} matches the empty string (it would match everywhere)")
        rules.append(Rule(name, pattern))
    return rules


_default: Redactor | None = None


def default_redactor() -> Redactor:
    """Builtin rules plus the user's config, built once. A broken config
    raises RedactConfigError rather than silently redacting less."""
    global _default
    if _default is None:
        _default = Redactor(load_extra_patterns(config_path()))
    return _default


def set_default_redactor(redactor: Redactor | None) -> None:
    """Replace the shared redactor; None rebuilds it (config re-read) on next use."""
    global _default
    _default = redactor


def redact(text: str) -> str:
    return default_redactor().redact(text)


def redact_bytes(data: bytes) -> bytes:
    return default_redactor().redact_bytes(data)
