"""The one exception the export raises, with a kind a caller can branch on
and a message (plus what to do) fit to show a user as plain text."""

from __future__ import annotations

# Kinds that mean "fix your input, config or credentials" (CLI exit 2);
# the rest are transient or partial failures (exit 1).
USAGE_KINDS = frozenset({"config", "token", "trust", "auth", "forbidden", "not-found", "not-github"})


class ExportError(Exception):
    """kind: config | token | trust (pmtui.trust refused the endpoint) | auth | forbidden | not-found | rate-limit |
    cancelled | offline (no connection at all; not retried) | network | server | rejected.

    `message` says what happened, `hint` what to do; neither ever holds the
    token (messages are scrubbed where they are built from outside text).
    `wait` is the rate-limit wait that exceeded the bound, in seconds."""

    def __init__(self, kind: str, message: str, hint: str = "", *, status: int | None = None,
                 wait: float | None = None, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields  # the request fields a 422 names (e.g. "assignees")
        self.kind = kind
        self.message = message
        self.hint = hint
        self.status = status
        self.wait = wait

    @property
    def is_usage(self) -> bool:
        return self.kind in USAGE_KINDS

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message, "hint": self.hint, "status": self.status}
