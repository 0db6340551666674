"""The report's Markdown drawn as rich renderables for the live preview.

Only the subset `pmtui.report` writes is understood: headings, paragraphs
with `<br>` breaks, bullet and numbered lists, tables, `**bold**`,
`_emphasis_`, links, backslash escapes and the three HTML entities the
escaper produces. One section costs one Text (plus a rich Table for a
small table), never a widget per cell as Textual's Markdown would, and
blame language is marked in place, which a Markdown widget cannot do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich import box
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from pmtui.textsafe import printable
from pmtui.ui.widgets.blametext import mark

_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ORDERED_RE = re.compile(r"^(\d{1,9})\. (.*)$")
_WORD_CHAR_RE = re.compile(r"[^\W_]")


def _intraword(source: str, i: int) -> bool:
    """An underscore between two letters or digits is text (CommonMark's
    flanking rules; pmtui.markdown leaves `customer_id` unescaped)."""
    return (0 < i < len(source) - 1 and _WORD_CHAR_RE.match(source, i - 1) is not None
            and _WORD_CHAR_RE.match(source, i + 1) is not None)


@dataclass
class MdStyles:
    blame: Style = field(default_factory=Style)
    h1: Style = field(default_factory=lambda: Style(bold=True))
    h2: Style = field(default_factory=lambda: Style(bold=True))
    h3: Style = field(default_factory=lambda: Style(bold=True))
    strong: Style = field(default_factory=lambda: Style(bold=True))
    em: Style = field(default_factory=lambda: Style(italic=True))
    link: Style = field(default_factory=lambda: Style(underline=True))
    muted: Style = field(default_factory=lambda: Style(dim=True))
    table_header: Style = field(default_factory=lambda: Style(bold=True))


def inline(source: str, styles: MdStyles, base: Style | None = None) -> Text:
    """One line of report Markdown as Text: markers dropped, escapes
    undone, the text made printable (it was, before it was escaped)."""
    out = Text(style=base or "")
    bold = em = False
    link_start: int | None = None
    buf: list[str] = []

    def flush() -> None:
        if buf:
            style = Style.combine([Style(), *(s for s, on in ((styles.strong, bold), (styles.em, em)) if on)])
            out.append(printable("".join(buf), multiline=True), style)
            buf.clear()

    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n:
            buf.append(source[i + 1])
            i += 2
            continue
        if source.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if ch == "_" and not _intraword(source, i):
            flush()
            em = not em
            i += 1
            continue
        if ch == "&":
            entity = next((e for e in _ENTITIES if source.startswith(e, i)), None)
            if entity:
                buf.append(_ENTITIES[entity])
                i += len(entity)
                continue
        if source.startswith("<br>", i):
            buf.append("\n")
            i += 4
            continue
        if ch == "[":
            flush()
            link_start = len(out)
            i += 1
            continue
        if ch == "]" and link_start is not None and source.startswith("](", i):
            flush()
            end = source.find(")", i + 2)
            url = source[i + 2 : end if end != -1 else n]
            out.stylize(styles.link, link_start, len(out))
            # A bare address written as a link ([url](url)) is shown once.
            if out.plain[link_start:] != url:
                out.append(f" <{printable(url)}>", styles.muted)
            link_start = None
            i = (end + 1) if end != -1 else n
            continue
        buf.append(ch)
        i += 1
    flush()
    return out


def split_row(line: str) -> list[str]:
    """Cells of a `| a | b |` row; `\\|` stays inside its cell."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    cells, cur, i = [], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur.append(body[i : i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    if "".join(cur).strip():
        cells.append("".join(cur).strip())
    return cells


def _table(lines: list[str], styles: MdStyles) -> Table:
    header = split_row(lines[0])
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, header_style=styles.table_header)
    for cell in header:
        table.add_column(inline(cell, styles), overflow="fold")
    for line in lines[2:]:
        cells = split_row(line)
        table.add_row(*(mark(inline(c, styles), styles.blame) for c in cells))
    return table


def render(source: str, styles: MdStyles) -> RenderableType:
    """A whole section: consecutive prose blocks share one Text; tables
    become rich Tables between them."""
    parts: list[RenderableType] = []
    text = Text()
    lines = source.split("\n")
    i = 0

    def block(piece: Text) -> None:
        if text.plain:
            text.append("\n")
        text.append_text(mark(piece, styles.blame))

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            if text.plain:
                parts.append(text)
                text = Text()
            parts.append(_table(rows, styles))
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            style = (styles.h1, styles.h2, styles.h3)[min(level, 3) - 1]
            title = inline(line[level:].strip(), styles, style)
            if text.plain:
                text.append("\n")
            block(title)
            i += 1
            continue
        if line.startswith("- "):
            piece = Text("  \u2022 ")
            piece.append_text(inline(line[2:], styles))
            block(piece)
            i += 1
            continue
        m = _ORDERED_RE.match(line)
        if m:
            piece = Text(f"  {m.group(1)}. ")
            piece.append_text(inline(m.group(2), styles))
            block(piece)
            i += 1
            continue
        # A paragraph: lines up to the next blank line.
        para = [line]
        i += 1
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|", "- ")):
            para.append(lines[i])
            i += 1
        # "<br>" or two trailing spaces end a hard line break; any other
        # line end is a soft wrap.
        source_para = "".join(
            p if p.endswith("<br>") else (p.rstrip() + "<br>" if p.endswith("  ") else p + " ") for p in para
        ).rstrip()
        source_para = source_para.removesuffix("<br>")
        block(inline(source_para, styles))
    if text.plain or not parts:
        parts.append(text)
    return parts[0] if len(parts) == 1 else Group(*parts)
