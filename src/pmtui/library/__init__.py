"""The library: a folder (or several) of post-mortems read together for the
cross-incident views: listing, open actions, search, stats, related
incidents and the weekly review. The files are the truth; a cache in the
XDG cache folder only saves reading them again. No Textual here.
"""

from __future__ import annotations

from pmtui.library.scan import BROKEN, NEWER, OK, UNREADABLE, Entry, ScanResult, iter_scan, scan
from pmtui.library.summary import ActionRow, CheckRow, Summary, summarise

__all__ = [
    "BROKEN", "NEWER", "OK", "UNREADABLE", "ActionRow", "CheckRow", "Entry", "ScanResult", "Summary",
    "iter_scan", "scan", "summarise",
]
