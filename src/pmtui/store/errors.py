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


class StoreError(Exception):
    """The file cannot be read as a post-mortem; `problems` lists why."""

    def __init__(self, path: str | os.PathLike, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(p.format(self.path) for p in problems))


class NewerSchemaError(StoreError):
    """Written by a newer pmtui; refused rather than half-read."""
