"""The OSC 52 escape sequence that asks the terminal to set its clipboard.

It travels with the terminal output, so it works over SSH. Inside tmux or
GNU screen the sequence must be wrapped (DCS passthrough) or the
multiplexer swallows it.
"""

from __future__ import annotations

import base64

# Terminals cap what they accept (xterm: 100,000 bytes of base64 by default).
TYPICAL_LIMIT = 100_000


def osc52(text: str, *, target: str = "c", multiplexer: str = "") -> str:
    """The sequence setting clipboard `target` (c = clipboard, p = primary)
    to `text`; multiplexer is "tmux", "screen" or "" for none."""
    if target not in ("c", "p", "s", "q"):
        raise ValueError(f"clipboard target {target!r}: expected c, p, s or q")
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    seq = f"\x1b]52;{target};{payload}\x07"
    if multiplexer == "tmux":
        return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    if multiplexer == "screen":
        # screen limits one DCS string to 768 bytes: send it in chunks.
        return "".join(f"\x1bP{seq[i:i + 76]}\x1b\\" for i in range(0, len(seq), 76))
    if multiplexer:
        raise ValueError(f"multiplexer {multiplexer!r}: expected tmux, screen or nothing")
    return seq


def multiplexer_from_env(env: dict[str, str]) -> str:
    """Which multiplexer wraps this terminal, judged from its environment."""
    if env.get("TMUX"):
        return "tmux"
    if env.get("STY") or env.get("TERM", "").startswith("screen"):
        return "screen"
    return ""


def payload_size(text: str) -> int:
    """Bytes of base64 the terminal must accept for `text`."""
    return (len(text.encode("utf-8")) + 2) // 3 * 4
