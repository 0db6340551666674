"""OSC 52 clipboard sequences, plain and wrapped for multiplexers."""

import base64

import pytest

from pmtui import clipboard


def test_plain_sequence_carries_base64_text():
    seq = clipboard.osc52("héllo | report")
    assert seq.startswith("\x1b]52;c;") and seq.endswith("\x07")
    assert base64.b64decode(seq[7:-1]).decode() == "héllo | report"


def test_tmux_passthrough_doubles_escapes():
    seq = clipboard.osc52("x", multiplexer="tmux")
    assert seq.startswith("\x1bPtmux;\x1b\x1b]52;c;") and seq.endswith("\x07\x1b\\")


def test_screen_chunks_stay_short():
    seq = clipboard.osc52("y" * 2000, multiplexer="screen")
    chunks = seq.split("\x1b\\")[:-1]
    assert len(chunks) > 1 and all(len(c) <= 80 for c in chunks)
    inner = "".join(c[2:] for c in chunks)
    assert inner == clipboard.osc52("y" * 2000)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="target"):
        clipboard.osc52("x", target="z")
    with pytest.raises(ValueError, match="multiplexer"):
        clipboard.osc52("x", multiplexer="zellij")


def test_multiplexer_from_env_and_size():
    assert clipboard.multiplexer_from_env({"TMUX": "/tmp/x"}) == "tmux"
    assert clipboard.multiplexer_from_env({"TERM": "screen-256color"}) == "screen"
    assert clipboard.multiplexer_from_env({"TERM": "xterm"}) == ""
    assert clipboard.payload_size("abc") == len(base64.b64encode(b"abc"))
