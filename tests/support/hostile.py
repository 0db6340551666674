"""Hostile strings and a check that what the app sends to the terminal
carries none of them raw.

Each hostile string holds a marker (H01, H02...) and comes with the exact
text a safe widget shows for it: escape and control characters as visible
stand-ins (textsafe), markup as literal brackets. `Hostile.output(app)`
is what Textual would write for the whole screen (the same rendering its
screenshot export uses, printed through a real terminal Console), so a raw
escape sequence in any widget shows up there.
"""

from __future__ import annotations

import io
import re

from rich.console import Console

# (hostile text, what a safe widget shows, at least)
HOSTILE: list[tuple[str, str]] = [
    ("\x1b[31mH01\x1b[0m", "\u241b[31mH01\u241b[0m"),
    ("\x1b[2J\x1b[HH02", "\u241b[2J\u241b[HH02"),
    ("\x1b]52;c;cm0gLXJmIH4=\x07H03", "\u241b]52;c;cm0gLXJmIH4=\u2407H03"),
    ("\x1b]52;c;cm0gLXJmIH4=\x1b\\H04", "\u241b]52;c;cm0gLXJmIH4=\u241b\\H04"),
    ("\x1b]0;pwned\x07H05", "\u241b]0;pwned\u2407H05"),
    ("\x1b]2;pwned\x1b\\H06", "\u241b]2;pwned\u241b\\H06"),
    ("\x1b]8;;http://e.vil/\x1b\\H07\x1b]8;;\x1b\\", "\u241b]8;;http://e.vil/\u241b\\H07"),
    ("\x9b31mH08", "<U+009B>31mH08"),
    ("\x9d0;title\x9cH09", "<U+009D>0;title<U+009C>H09"),
    ("[bold red]H10[/]", "[bold red]H10[/]"),
    ("[/]H11", "[/]H11"),
    ("H12[/bold]", "H12[/bold]"),
    ("[link=http://e.vil]H13[/link]", "[link=http://e.vil]H13[/link]"),
    ("[@click=app.quit]H14[/]", "[@click=app.quit]H14[/]"),
    ("\\[H15]", "\\[H15]"),
    (":warning: H16 :smile:", ":warning: H16 :smile:"),
    ("H17\x00NUL", "H17\u2400NUL"),
    ("H18\x07BEL\x08BS", "H18\u2407BEL\u2408BS"),
    ("H19\rCR", "H19\u240dCR"),
    ("\u202eH20 gnp.exe", "<U+202E>H20 gnp.exe"),
    ("H21\u200bZW", "H21<U+200B>ZW"),
    ("H22\x7fDEL", "H22\u2421DEL"),
    ("\x1bPqDCS\x1b\\H23", "\u241bPqDCS\u241b\\H23"),
    ("\x1b_APC\x1b\\H24", "\u241b_APC\u241b\\H24"),
    ("\x1b[6nH25", "\u241b[6nH25"),
    ("\x1b[21tH26", "\u241b[21tH26"),
    ("\x1bcH27", "\u241bcH27"),
    ("\x1b(0H28", "\u241b(0H28"),
    ("\x1b[?1049lH29", "\u241b[?1049lH29"),
    ("\x1b[?1000hH30", "\u241b[?1000hH30"),
    ("H31\x1b", "H31\u241b"),
    ("\x1b]1337;File=x:AA\x07H32", "\u241b]1337;File=x:AA\u2407H32"),
    ("H33 {title} %s", "H33 {title} %s"),
    ("[b]H34", "[b]H34"),
    ("H35\u2066LRI\u2069", "H35<U+2066>LRI<U+2069>"),
    ("H36\ufeffBOM", "H36<U+FEFF>BOM"),
    ("[red on white]H37", "[red on white]H37"),
    ("H38 \\", "H38 \\"),
    ("\x1b[8mH39", "\u241b[8mH39"),
]

_CSI = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")
# Characters that must never reach a terminal from content: C0 (except the
# newline Rich ends lines with), DEL, C1, bidi and invisible format controls.
_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


class Hostile:
    """The hostile strings and the checks made on what the app writes."""

    strings: tuple[tuple[str, str], ...] = tuple(HOSTILE)

    @staticmethod
    def output(app) -> str:
        """What Textual would write to the terminal for the whole screen."""
        width, height = app.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            legacy_windows=False,
            safe_box=False,
        )
        console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
        return console.file.getvalue()

    @staticmethod
    def problems(output: str) -> list[str]:
        """Problems in `output`: escape sequences other than the colour (SGR)
        and cursor-position (CUP) ones Textual itself writes, and any control or
        invisible character. Empty when safe."""
        problems = []
        for m in _CSI.finditer(output):
            params, inter, final = m.groups()
            if inter or final not in "mH" or not re.fullmatch(r"[0-9;:]*", params):
                problems.append(f"escape sequence {m.group()!r}")
        rest = _CSI.sub("", output)
        if "\x1b" in rest:
            i = rest.index("\x1b")
            problems.append(f"raw ESC near {rest[max(0, i - 10) : i + 20]!r}")
        problems.extend(f"control character U+{ord(m.group()):04X}" for m in _FORBIDDEN.finditer(rest))
        return problems

    @staticmethod
    def visible(output: str) -> str:
        """The visible text of the screen: escape sequences removed."""
        return _CSI.sub("", output)
