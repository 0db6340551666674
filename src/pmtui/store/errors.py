"""What is wrong with a post-mortem file, each problem with its place."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 when the problem has no place in the text
    column: int  # 1-based; 0 when unknown
    field: str  # "timeline[3].time", "" for the file as a whole
    message: str

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}:{self.column}" if self.line else path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


# A message lists this many problems, then counts the rest: a file of
# 20,000 bad rows gets a readable error, not 20,000 lines.
MAX_SHOWN = 20


class StoreError(Exception):
    """The file cannot be read as a post-mortem; `problems` lists why (the
    first ones, each placed; `more` counts the rest) and the message shows
    the first MAX_SHOWN and a count of the rest."""

    def __init__(self, path: str | os.PathLike, problems: list[Problem], *, more: int = 0) -> None:
        self.path = str(path)
        self.problems = problems
        self.more = more  # problems counted but not listed (past the store's limit)
        total = len(problems) + more
        lines = [p.format(self.path) for p in problems[:MAX_SHOWN]]
        if total > MAX_SHOWN:
            lines.append(f"{self.path}: ... and {total - MAX_SHOWN} more problems ({total} in all)")
        super().__init__("\n".join(lines))


class NewerSchemaError(StoreError):
    """Written by a newer pmtui; refused rather than half-read."""
