"""What the export tells its caller while it runs (from the worker thread).

A UI turns each `Progress` into a message for the main thread; the CLI
prints it to standard error. `wait_left` is set during a rate-limit wait so
the countdown is visible."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    stage: str  # connect | list | labels | item | wait | retry | done
    message: str  # plain text; outside text already made printable
    done: int = 0  # items finished so far
    total: int = 0  # items the step will touch
    item_id: str = ""
    wait_left: float | None = None  # seconds left in a rate-limit wait


ProgressFn = Callable[[Progress], None]
CancelledFn = Callable[[], bool]


def no_progress(_: Progress) -> None:
    pass


def never_cancelled() -> bool:
    return False
