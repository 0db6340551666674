"""Custom fields: text typed in the Overview -> the value the file holds,
the value -> text, and what is wrong with a value (for `pmtui check`)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pmtui.model import CustomValue
from pmtui.team.config import FieldDef

_HANDLE = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9_.-]*$")


def show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def parse(f: FieldDef, text: str, *, today: date | None = None) -> CustomValue | None:
    """The value for `text`, None for empty; ValueError(message) when the
    text is not a value of the field's type."""
    text = text.strip()
    if not text:
        if f.required:
            raise ValueError(f"{f.title} is required")
        return None
    if f.type == "choice":
        match = next((c for c in f.choices if c.lower() == text.lower()), None)
        if match is None:
            raise ValueError(f"expected one of {', '.join(f.choices)}")
        return match
    if f.type == "number":
        cleaned = text.replace(",", "").replace("_", "")
        try:
            return int(cleaned)
        except ValueError:
            pass
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(f"{text!r} is not a number, e.g. 3 or 1200.5") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("expected a finite number")
        return number
    if f.type == "date":
        from pmtui.timeparse import TimeParseError, parse_date

        try:
            return parse_date(text, today=today)
        except TimeParseError as exc:
            raise ValueError(str(exc)) from None
    if f.type == "people":
        people = [p.strip() for p in text.split(",") if p.strip()]
        bad = [p for p in people if not _HANDLE.match(p)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a handle such as @alice")
        return people
    return text


def field_problem(f: FieldDef, value: object) -> str:
    """What is wrong with the file's value for field `f`; "" when fine."""
    if value is None or value == "" or value == []:
        return "required, not filled in" if f.required else ""
    if f.type == "choice":
        if not isinstance(value, str) or value not in f.choices:
            return f"not one of {', '.join(f.choices)}: {show(value)!r}"
    elif f.type == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected a number, got {show(value)!r}"
    elif f.type == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            return f"expected a date such as 2025-02-16 (no quotes), got {show(value)!r}"
    elif f.type == "people":
        if not isinstance(value, list) or not all(isinstance(p, str) and _HANDLE.match(p) for p in value):
            return f'expected handles such as ["@alice"], got {show(value)!r}'
    elif not isinstance(value, str):
        return f"expected text, got {show(value)!r}"
    return ""
