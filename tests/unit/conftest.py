"""Fixtures of the unit layer: pure functions, no server, no app."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import blame_corpus, markdown

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def hand_written() -> str:
    """A post-mortem written by hand: full of comments, unknown keys and odd
    spacing (tests/data/hand-written.toml), for the store's round trips."""
    return (DATA / "hand-written.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gfm() -> markdown.Gfm:
    """The report read back with a real GFM parser: gfm.tables(text),
    gfm.headings(text), gfm.parse(text)..."""
    return markdown.Gfm()


@pytest.fixture(scope="session")
def blame_corpus_data() -> blame_corpus.Corpus:
    """The labelled blameless-lint corpus (tests/data/blame_corpus.toml):
    .people, .cases (text, blame, where, part), .score(cases, flags)."""
    return blame_corpus.Corpus()
