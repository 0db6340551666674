"""Texts that say the same thing in different words ("Migrations ship
without a load test" / "No load testing of database schema migrations"):
grouped by the words they share, weighted by how rare each word is.

Own code, small: the grouping is by shared *words* after light stemming
(character-level fuzzy matchers such as rapidfuzz score "load-tested"
against "load testing" well but "migrations ship" against "schema
migrations" badly), and it must explain itself: each group lists the
words its members share.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

_WORD_RE = re.compile(r"[a-z0-9]+")
_STOP_TEXT = """
a an the and or but of to in on at by for from with without into onto over under after before during
is are was were be been being has have had do does did not no nor it its this that these those there
their our we they them us as so than then too very can could would should will shall may might must
when while where which who whom what why how all any some each every more most less few many much
out up down off again further once only own same just also about against between through
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_SUFFIXES = ("ational", "ization", "ations", "ation", "ments", "ment", "ings", "ing", "ness", "edly",
             "ies", "ied", "ed", "es", "ly", "s")
THRESHOLD = 0.45  # share of the smaller text's weight the shared words must carry


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2]:  # "stopp", "plann"
        word = word[:-1]
    return word


def words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS and len(w) > 1)


@dataclass
class Group:
    texts: list[str]  # distinct texts, most frequent first
    members: list[int]  # indexes into the input list
    shared: list[str]  # the stems most members share


def group(texts: list[str], *, threshold: float = THRESHOLD) -> list[Group]:
    """Groups (single linkage) of the texts that share enough rare words;
    texts alone in their group are left out. Quadratic in the distinct
    texts, which is fine for the few thousand a library holds."""
    distinct: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        key = " ".join(t.split()).lower()
        if key:
            distinct.setdefault(key, []).append(i)
    keys = list(distinct)
    bags = [words(k) for k in keys]
    df = Counter(w for bag in bags for w in bag)
    n = len(keys)
    idf = {w: math.log(1 + n / c) for w, c in df.items()}
    weight = [sum(idf[w] for w in bag) for bag in bags]
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_word: dict[str, list[int]] = {}
    for i, bag in enumerate(bags):
        for w in bag:
            by_word.setdefault(w, []).append(i)
    for i, bag in enumerate(bags):
        candidates = {j for w in bag for j in by_word[w] if j > i}
        for j in candidates:
            shared = bag & bags[j]
            if len(shared) < 2:
                continue
            score = sum(idf[w] for w in shared) / max(min(weight[i], weight[j]), 1e-9)
            if score >= threshold:
                parent[root(j)] = root(i)
    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(root(i), []).append(i)
    out = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        idx = sorted(i for k in members for i in distinct[keys[k]])
        counts = Counter(" ".join(texts[i].split()) for i in idx)
        stems = Counter(w for k in members for w in bags[k])
        common = [w for w, c in stems.most_common() if c >= 2][:5]
        out.append(Group([t for t, _ in counts.most_common()], idx, common))
    out.sort(key=lambda g: (-len(g.members), g.texts[0]))
    return out
