"""Reading the report back with a real GFM parser (markdown-it-py, which
rich already depends on, with GFM tables and strikethrough enabled)."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from pmtui.textsafe import printable

_MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def parse(text: str):
    return _MD.parse(text)


def inline_text(token) -> str:
    """An inline token's literal text: text nodes joined, <br> as newline.
    Anything else (emphasis, links, code, raw HTML) shows as a marker so a
    test can see that user text turned into structure."""
    out = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content)
        elif (child.type == "html_inline" and child.content == "<br>") or child.type == "softbreak":
            out.append("\n")
        else:
            out.append(f"<<{child.type}>>")
    return "".join(out)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


def tables(text: str) -> list[Table]:
    """Every table in the document, cells as literal text."""
    found: list[Table] = []
    row: list[str] | None = None
    in_head = False
    current: Table | None = None
    tokens = parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            current = Table([], [])
            found.append(current)
        elif tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            assert row is not None
            row.append(inline_text(tokens[i + 1]) if tokens[i + 1].type == "inline" else "")
        elif tok.type == "tr_close":
            assert current is not None and row is not None
            if in_head:
                current.header = row
            else:
                current.rows.append(row)
    return found


def headings(text: str) -> list[tuple[int, str]]:
    tokens = parse(text)
    return [
        (int(tok.tag[1]), inline_text(tokens[i + 1]))
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]


def block_types(text: str) -> set[str]:
    return {tok.type for tok in parse(text)}


def html_tokens(text: str) -> list[str]:
    """Raw HTML anywhere other than our own <br>."""
    out = []
    for tok in parse(text):
        if tok.type == "html_block":
            out.append(tok.content)
        for child in tok.children or []:
            if child.type == "html_inline" and child.content != "<br>":
                out.append(child.content)
    return out


def expected_literal(text: str) -> str:
    """What a cell or list item should read as, once rendered: the same text
    with line ends normalised, control characters made visible, each line
    trimmed and blank edge lines dropped."""
    for nl in ("\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        text = text.replace(nl, "\n")
    lines = [line.strip() for line in printable(text, multiline=True).split("\n")]
    return "\n".join(lines).strip("\n")


class Gfm:
    """The readers above, as the `gfm` fixture hands them to a test."""

    parse = staticmethod(parse)
    inline_text = staticmethod(inline_text)
    tables = staticmethod(tables)
    headings = staticmethod(headings)
    block_types = staticmethod(block_types)
    html_tokens = staticmethod(html_tokens)
    expected_literal = staticmethod(expected_literal)
