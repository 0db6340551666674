"""Escaping user text into GitHub-flavoured Markdown.

Whatever a user types (pipes, backticks, HTML, a line that starts with `#`
or `-`, terminal escape sequences) must come out of the report as the same
literal text, never as structure. Everything here is a pure string
function, linear in the input, so the report can be re-rendered per row.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pmtui.textsafe import printable

# Backslash-escaped wherever they appear: emphasis, code spans, links,
# strikethrough and table cells. An underscore between two letters or digits
# cannot open or close emphasis (CommonMark flanking rules), so `customer_id`
# stays readable in the raw Markdown.
_INLINE_RE = re.compile(r"[\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_])")
# A line that would otherwise open a block: heading, list item, thematic
# break, setext underline, fenced code (backticks are escaped already),
# ordered list item ("1." / "1)").
_LEAD_RE = re.compile(r"^([#+\-=]|\d{1,9}(?=[.)]))")
# Blank first/last lines would leave "<br>" runs at the edges.
_EDGE_BR_RE = re.compile(r"^(?:<br>)+|(?:<br>)+$")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


# Text with none of these needs no work at all: the common case, kept fast
# because the timeline can have 10,000 rows of three cells each.
_SPECIAL_RE = re.compile(
    "[\\\\`*_\\[\\]|~&<>\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _escape_html(line: str) -> str:
    if "&" in line:
        line = line.replace("&", "&amp;")
    if "<" in line:
        line = line.replace("<", "&lt;")
    if ">" in line:
        line = line.replace(">", "&gt;")
    return line


def _escape_line(line: str) -> str:
    # Indentation would make a code block; it carries no meaning in a report.
    line = _escape_html(line.strip())
    line = _INLINE_RE.sub(r"\\\g<0>", line)
    m = _LEAD_RE.match(line)
    if m:
        if m.group(1).isdigit():
            # "1." -> "1\." : escape the delimiter, not the digits.
            end = m.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = "\\" + line
    return line


def _lines(text: str) -> list[str]:
    text = _NEWLINES_RE.sub("\n", text)
    return printable(text, multiline=True).split("\n")


def inline(text: str) -> str:
    """One line of literal text (a list item, a field value): newlines
    become `<br>` so the item stays one block."""
    if not text:
        return ""
    if _SPECIAL_RE.search(text) is None and not _LEAD_RE.match(text) and text == text.strip():
        return text
    out = "<br>".join(_escape_line(line) for line in _lines(text))
    return _EDGE_BR_RE.sub("", out)


_HASH_RE = re.compile(r"(?<!\\)#")


def heading(text: str) -> str:
    """Text for an ATX heading: like `inline`, and a trailing run of `#`
    cannot be read as the heading's optional closing sequence."""
    return _HASH_RE.sub(r"\\#", inline(text))


def cell(text: str, empty: str = "-") -> str:
    """A table cell: like `inline`, and never empty (an empty cell reads as
    a rendering bug)."""
    return inline(text) or empty


def paragraphs(text: str) -> str:
    """Prose: blank lines separate paragraphs; a single newline stays a soft
    break (hand-wrapped text reflows, as Markdown readers expect); no line
    can open a block of its own."""
    out: list[str] = []
    para: list[str] = []
    for raw in _lines(text):
        if not raw.strip():
            if para:
                out.append("\n".join(para))
                para = []
            continue
        para.append(_escape_line(raw))
    if para:
        out.append("\n".join(para))
    return "\n\n".join(out)


_URL_RE = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def link(label: str, url: str) -> str:
    """`[label](url)` for an http(s) URL; anything else stays plain text so a
    `javascript:` or malformed link cannot become a live link."""
    url = url.strip()
    if not _URL_RE.match(url):
        return inline(url)
    # A pipe would end the table cell the link sits in.
    dest = url.replace("(", "%28").replace(")", "%29").replace("\\", "%5C").replace("|", "%7C")
    # Inside link text no line starts a block, so only inline escaping.
    text = _INLINE_RE.sub(r"\\\g<0>", _escape_html(one_line_text(label)))
    return f"[{text}]({dest})"


def one_line_text(text: str) -> str:
    return " ".join(line.strip() for line in _lines(text) if line.strip())


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table from already-escaped cells."""
    lines = [row_line(headers), "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend(row_line(r) for r in rows)
    return "\n".join(lines)


def row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def bullets(items: list[str], empty: str) -> str:
    shown = [inline(i) for i in items if i and i.strip()]
    if not shown:
        return empty
    return "\n".join(f"- {i}" for i in shown)


def fmt_date(value: date | datetime | None, missing: str = "") -> str:
    if value is None:
        return missing
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()
