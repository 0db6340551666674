"""The log rules of a source (`errors`, `warnings`, `ignore` in
[sources.kubernetes]) are regular expressions: a bad one is refused on
load, with the file, line and column of the very pattern, the field and
what was expected, alongside every other problem of the file."""

from __future__ import annotations

import pytest

from pmtui import store
from pmtui.store import StoreError

GOOD = '''schema = 1
title = "x"

[sources.kubernetes]
deployment = "api"
errors = ['\\bOOM\\b', "circuit (open|half-open)"]
warnings = ["retrying"]
ignore = ["GET /healthz"]
'''

BAD = '''schema = 1
title = "x"

[sources.kubernetes]
deployment = "api"
errors = ["ok", "bad(", 'also[bad']
warnings = [
    "fine",  # a comment, with "quotes", [brackets]
    "(?P<x",
]
ignore = ["*start"]

[[actions]]
id = "AI-001"
action = "x"
priority = "urgent"
'''


def test_good_patterns_load():
    pm = store.loads(GOOD, "pm.toml").pm
    assert pm.sources.kubernetes.errors == ["\\bOOM\\b", "circuit (open|half-open)"]


def test_bad_patterns_are_each_reported_at_their_place():
    with pytest.raises(StoreError) as caught:
        store.loads(BAD, "pm.toml")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("pm.toml:6:17: sources.kubernetes.errors[1]: 'bad(' is not a regular expression "
                               "(missing ), unterminated subpattern at character 4); expected a Python regular "
                               "expression")
    assert lines[1].startswith("pm.toml:6:25: sources.kubernetes.errors[2]: 'also[bad' is not a regular expression")
    assert lines[2].startswith("pm.toml:9:5: sources.kubernetes.warnings[1]: '(?P<x' is not a regular expression")
    assert lines[3].startswith("pm.toml:11:11: sources.kubernetes.ignore[0]: '*start' is not a regular expression "
                               "(nothing to repeat at character 1)")
    assert lines[4].startswith("pm.toml:16:12: actions[0].priority: unknown value 'urgent'")
    assert len(lines) == 5


def test_every_log_source_s_rules_are_checked():
    for table in ("loki", "files"):
        text = f'schema = 1\n\n[sources.{table}]\nignore = ["ok", "(?<bad"]\n'
        with pytest.raises(StoreError, match=rf"pm.toml:4:17: sources.{table}.ignore\[1\]: '\(\?<bad' is not"):
            store.loads(text, "pm.toml")


def test_the_file_is_not_changed_by_a_refused_load(tmp_path):
    path = tmp_path / "pm.toml"
    path.write_text(BAD)
    with pytest.raises(StoreError):
        store.load(path)
    assert path.read_text() == BAD
