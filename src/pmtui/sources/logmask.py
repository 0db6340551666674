"""Log templates: what stays of a line once its variables are masked.

Two stages, one setting for every format (no per-format switches):

1. `template_of(line)`, per line, no state. Structure first: a JSON object
   keeps its keys, its level and message values (the message masked in
   turn) and masks every other value; `key=value` pairs keep the key and
   mask the value (level and message keys excepted); quoted text is masked.
   Then each remaining word is masked when it is a variable by its shape:
   anything holding a digit (numbers of any length, ids such as `blk_-123`,
   UUIDs glued to words, IPs, times, durations, versions), paths and URLs,
   addresses (`a@b`), host names (`db.shop.svc`), weekday and month names,
   HTTP methods. Every variable is written `<*>`: a field never gets two
   shapes by its value (`readable` writes a run of them once, for people).

2. `unify(templates)`, over the distinct templates of a log: the variables
   stage 1 cannot see (user, host, container, table names) show up as
   templates alike but for one word that takes many values. Where at least
   `MIN_VALUES` templates agree on every other word, that position becomes
   `<*>` (so does one where some lines have `-`, the empty value, and
   others a variable). Words that take few values (started/stopped, in/out,
   Readiness/Liveness) stay: two messages differing by them are two
   happenings.

Both stages are measured on a labelled corpus of 15 formats
(tests/data/logcorpus) by benchmarks/bench_grouping.py, beside drain3.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable

VAR = "<*>"
MIN_VALUES = 4  # distinct words at one position before it counts as a variable (stage 2)

MESSAGE_KEYS = frozenset({"msg", "message", "event", "text", "log", "body"})
LEVEL_KEYS = frozenset({"level", "lvl", "severity", "loglevel", "log.level", "levelname", "severity_text"})

# Short technical words holding a digit that are words, not values.
KEEP_WORDS = frozenset({
    "k8s", "http2", "h2", "h2c", "http3", "utf8", "utf-8", "ipv4", "ipv6", "x509", "s3", "ec2", "oauth2", "sha1",
    "sha256", "sha512", "md5", "base64", "int32", "int64", "uint8", "uint32", "uint64", "float64", "l4", "l7",
    "2fa", "x86_64", "amd64", "arm64", "3xx", "4xx", "5xx", "2xx", "p50", "p90", "p95", "p99", "1st", "2nd", "3rd",
    "gzip2", "bzip2", "tls1.2", "tls1.3", "e2e", "b2b", "i18n", "a11y", "v1", "v2", "v3", "v1beta1", "v1alpha1",
    "v2beta2", "autoscaling/v2", "apps/v1",
})
NAMES = frozenset({
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "January", "February", "March", "April", "June", "July", "August", "September", "October", "November",
    "December", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE",
})

# key=value (value quoted or bare) and quoted text, found in one left-to-right pass.
_STRUCT_RE = re.compile(
    r"""(?<![\w.\-])([A-Za-z_@][\w.\-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;)\]]*)"""
    r"""|"(?:[^"\\\n]|\\.)*"|(?<![\w])'[^'\n]{0,300}'(?![\w])"""
)
_DIGIT_RE = re.compile(r"\d")
_HOST_RE = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+")
_LEAD = "([{<\"'*"
_TRAIL = ")]}>,;:.!?\"'"
_RUN_RE = re.compile(r"<\*>(?:[ \t]+<\*>)+")
_SPACE_RE = re.compile(r"\s+")


def is_variable(word: str) -> bool:
    """True when a word (punctuation stripped) is a value by its shape alone."""
    if not word:
        return False
    if _DIGIT_RE.search(word):
        return word.lower() not in KEEP_WORDS
    if word in NAMES:
        return True
    if "/" in word and len(word) > 1:
        return True  # paths, URLs, media types, ns/name
    if "@" in word.strip("@") or "\\" in word:
        return True
    return "." in word and _HOST_RE.fullmatch(word) is not None


def _mask_word(token: str) -> str:
    if VAR in token:
        return token
    start, end = 0, len(token)
    while start < end and token[start] in _LEAD:
        start += 1
    while end > start and token[end - 1] in _TRAIL:
        end -= 1
    core = token[start:end]
    if not is_variable(core):
        return token
    return token[:start] + VAR + token[end:]


# A name glued to an opening bracket ("farah(uid=1000)", "open()"): two words.
_GLUED_RE = re.compile(r"(?<=[A-Za-z0-9_-])\((?=[^\s]*\))")


def _mask_words(text: str) -> str:
    return " ".join(_mask_word(t) for t in _SPACE_RE.split(_GLUED_RE.sub(" (", text.strip())) if t)


def _struct(m: re.Match[str]) -> str:
    key = m.group(1)
    if key is None:  # quoted text on its own
        q = m.group(0)[0]
        return q + VAR + q
    value = m.group(2)
    low = key.lower()
    if low in LEVEL_KEYS:
        return m.group(0)
    if low in MESSAGE_KEYS:
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            return f"{key}={value[0]}{_mask_text(value[1:-1])}{value[0]}"
        return f"{key}={_mask_word(value)}"
    return f"{key}={VAR}"


def _mask_text(text: str) -> str:
    return _mask_words(_STRUCT_RE.sub(_struct, text))


def _json_template(obj: dict[str, object]) -> str:
    parts = []
    for key, value in obj.items():
        low = key.lower()
        if isinstance(value, str) and low in MESSAGE_KEYS:
            shown = json.dumps(_mask_text(value), ensure_ascii=False)
        elif isinstance(value, str) and low in LEVEL_KEYS:
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = VAR
        parts.append(f"{json.dumps(key, ensure_ascii=False)}:{shown}")
    return "{" + ",".join(parts) + "}"


def template_of(line: str) -> str:
    """Stage 1: the line's template (see the module's docstring)."""
    text = line.strip()
    if text.startswith("{") and text.endswith("}"):
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            return _json_template(obj)
    return _mask_text(text)


def readable(template: str) -> str:
    """A template for people: each run of variables written once."""
    return _RUN_RE.sub(VAR, template)


# -- stage 2 ---------------------------------------------------------------------

def _eligible(token: str) -> tuple[str, str] | None:
    """The brackets and quotes around a token that may turn out a variable
    (a word or a code such as `UF,URX` or `sH--`); None for anything else
    (keys, variables already, text glued to one)."""
    if "=" in token or (VAR in token and token != VAR):
        return None
    start, end = 0, len(token)
    while start < end and token[start] in _LEAD:
        start += 1
    while end > start and token[end - 1] in _TRAIL:
        end -= 1
    if start == end and token not in ("-", VAR):
        return None
    return token[:start], token[end:]


def unify(templates: Iterable[str], *, min_values: int = MIN_VALUES) -> dict[str, str]:
    """Stage 2: each template -> the template it belongs to (itself, or one
    with more `<*>`). Deterministic whatever the order of `templates`."""
    mapping: dict[str, str] = {t: t for t in templates}
    current = {t: t.split(" ") for t in sorted(set(mapping.values()))}
    for _ in range(4):  # positions found one round can reveal more the next
        merged = _unify_round(current, min_values)
        if not merged:
            break
        for original, now in mapping.items():
            mapping[original] = merged.get(now, now)
        current = {t: t.split(" ") for t in sorted(set(mapping.values()))}
    return mapping


def _unify_round(current: dict[str, list[str]], min_values: int) -> dict[str, str]:
    by_len: dict[int, list[str]] = defaultdict(list)
    for t, toks in current.items():
        by_len[len(toks)].append(t)
    merged: dict[str, str] = {}
    for size, members in by_len.items():
        if len(members) < 2 or size < 3:
            continue
        for p in range(size):
            buckets: dict[tuple[tuple[str, ...], tuple[str, str]], list[str]] = defaultdict(list)
            for t in members:
                if t in merged:
                    continue
                toks = current[t]
                shape = _eligible(toks[p])
                if shape is None:
                    continue
                if toks[p] in ("-", VAR):
                    shape = ("", "")
                buckets[(tuple(toks[:p] + toks[p + 1:]), shape)].append(t)
            for (_rest, shape), group in buckets.items():
                values = {current[t][p] for t in group}
                # Many words at one place, or a variable there already (a
                # "-" is the empty value of a variable field).
                if len(values) < min_values and not (VAR in values and len(values) > 1):
                    continue
                toks = list(current[group[0]])
                toks[p] = shape[0] + VAR + shape[1] if toks[p] != "-" else VAR
                target = " ".join(toks)
                for t in group:
                    merged[t] = target
    return merged
