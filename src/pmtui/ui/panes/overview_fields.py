"""One field of the Overview's form: where its value lives, how it is
shown and parsed, and (team fields) how a value becomes an edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from pmtui.model import PostMortem
from pmtui.session import Edit


@dataclass
class OverviewField:
    name: str
    label: str
    section: str
    kind: str  # input | select | text
    get: Callable[[PostMortem], Any]
    owner: Callable[[PostMortem], Any]  # the object holding the attribute
    attr: str
    show: Callable[[Any], str] = lambda v: "" if v is None else str(v)
    parse: Callable[[str], Any] | None = None
    options: tuple[str, ...] = ()
    placeholder: str = ""
    # Team fields: how a value becomes an edit (an entry of [custom] or
    # [roles]...), option labels (a severity's definition), a line under it.
    edit: Callable[[PostMortem, Any], Edit | None] | None = None
    labels: dict[str, str] = dc_field(default_factory=dict)
    hint: Callable[[Any], str] | None = None
