"""TOML syntax errors, reported with their line and column, and as many
independent ones after the first as can be told apart reliably."""

from __future__ import annotations

import re
import tomllib

from pmtui.store.errors import Problem

_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$|\s*\(at end of document\)\s*$")


def _syntax_problem(text: str, message: str, first_line: int = 0) -> Problem:
    mt = _TOML_WHERE.search(message)
    what = message[: mt.start()] if mt else message
    if mt and mt.group(1):
        line, col = int(mt.group(1)) + first_line, int(mt.group(2))
    else:
        lines = text.split("\n")
        line, col = len(lines) + first_line, len(lines[-1]) + 1
    return Problem(line, col, "", f"not valid TOML: {what[:1].lower()}{what[1:]}")


MAX_SYNTAX_ERRORS = 10
# Characters tomllib may read looking for errors after the first; a huge
# broken file reports what this finds rather than keep the user waiting.
_MORE_ERRORS_BUDGET = 2_000_000


def syntax_problems(text: str, message: str) -> list[Problem]:
    """The first syntax error, then further independent ones.

    tomllib stops at the first error. When the bad line is a statement of
    its own (everything before it parses, and nothing on it can continue
    onto the next line), it is replaced by a header of a table nobody uses
    and the rest is parsed again: its keys cannot clash with anything, so
    any error found next is a real one, not an echo of the first. Whenever
    that cannot be shown, only the errors found so far are reported."""
    problems = [_syntax_problem(text, message)]
    lines = text.split("\n")
    budget = _MORE_ERRORS_BUDGET
    start = -1  # the bad line the part being parsed starts at (-1: the file's start)
    while len(problems) < MAX_SYNTAX_ERRORS:
        bad = problems[-1].line - 1
        if not (start <= bad < len(lines)) or "(at end of document)" in message:
            break
        head = ([_resync_header(start), *lines[start + 1:bad]]) if start >= 0 else lines[:bad]
        head_text = "\n".join(head)
        rest = [_resync_header(bad), *lines[bad + 1:]]
        rest_text = "\n".join(rest)
        budget -= len(head_text) + len(rest_text)
        if budget < 0 or not _one_line_statement(lines[bad]):
            break
        try:
            tomllib.loads(head_text)
        except (tomllib.TOMLDecodeError, RecursionError):
            break  # the bad line may sit inside a value that started above it
        try:
            tomllib.loads(rest_text)
            break
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
        except RecursionError:
            break
        found = _syntax_problem(rest_text, message, bad)
        if found.line - 1 <= bad:
            break
        problems.append(found)
        start = bad
    return problems


def _resync_header(line: int) -> str:
    return f"[pmtui-unreadable-line-{line + 1}]"


def _one_line_statement(line: str) -> bool:
    """Whether a statement starting on `line` cannot go on to the next
    line, whatever its error: a header, or a key whose value opens no
    bracket it does not close and no multi-line string."""
    if line.lstrip(" \t").startswith("["):
        return True
    depth = 0
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "#":
            break
        if c == '"' or c == "'":
            if line.startswith(c * 3, i):
                return False  # a multi-line string may open here
            i += 1
            while i < n and line[i] != c:
                i += 2 if c == '"' and line[i] == "\\" else 1
            i += 1  # an unclosed one-line string still ends with its line
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return depth <= 0
