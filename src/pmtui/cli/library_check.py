"""`pmtui check DIR…`: the checklist over every post-mortem below some
folders, with one summary and one exit status — the CI gate of a
repository of post-mortems.

Exit status: 2 when a file cannot be read (or a folder does not exist),
else 1 when a post-mortem fails a check (or warns, with --fail-on warn),
else 0. Every file that does not pass is shown with what it lacks.
"""

from __future__ import annotations

import json
from datetime import datetime

import click

from pmtui.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, fail
from pmtui.cli.library import clean, load, problem_lines
from pmtui.redact import redact

_SYMBOLS = {"pass": "\u2713", "warn": "!", "fail": "\u2717"}
_COLOURS = {"pass": "green", "warn": "yellow", "fail": "red"}


def check_library(paths: tuple[str, ...], *, now: datetime, as_json: bool, fail_on: str, color: bool) -> int:
    result = load(paths)
    if not result.entries and not result.missing_roots:
        fail(f"{paths[0]}: no post-mortem files in this directory or below" if len(paths) == 1
             else "no post-mortem files in " + ", ".join(paths))
    files = []
    totals = {"pass": 0, "warn": 0, "fail": 0}
    for e in sorted(result.good, key=lambda e: e.name):
        rows = e.info.checklist(now, e.team)
        counts = {"pass": 0, "warn": 0, "fail": 0}
        for r in rows:
            counts[r.result] += 1
        state = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
        totals[state] += 1
        files.append((e, rows, counts, state))
    bad = [e for e in result.entries if not e.ok]
    failing = totals["fail"] + (totals["warn"] if fail_on == "warn" else 0)
    code = EXIT_UNUSABLE if bad or result.missing_roots else EXIT_FAILED if failing else EXIT_OK
    if as_json:
        click.echo(json.dumps({
            "files": [{"file": e.name, "id": e.info.id, "state": state, "summary": counts,
                       "results": [{"id": r.id, "result": r.result, "message": redact(r.message),
                                    "section": r.section, "row": r.row} for r in rows]}
                      for e, rows, counts, state in files],
            "unreadable": [{"file": e.name, "state": e.state, "problem": redact(e.problem)} for e in bad],
            "summary": {"post_mortems": len(files), "passing": totals["pass"], "warnings": totals["warn"],
                        "failing": totals["fail"], "unreadable": len(bad), "fail_on": fail_on, "exit": code},
        }, indent=2, ensure_ascii=False))
        return code
    for e, rows, counts, state in files:
        if state == "pass":
            continue
        mark = _SYMBOLS[state]
        mark = click.style(mark, fg=_COLOURS[state], bold=True) if color else mark
        click.echo(f"{mark} {clean(e.name)}  {clean(e.info.id)}  "
                   f"{counts['fail']} failed, {counts['warn']} warnings")
        for r in rows:
            if r.result == "pass":
                continue
            where = f"{r.section or '-'}[{r.row}]" if r.row is not None else (r.section or "-")
            click.echo(f"    {_SYMBOLS[r.result]} {r.id:<19} {clean(where):<16} {clean(r.message, 160)}")
    for line in problem_lines(bad):
        click.echo(click.style("\u2717 ", fg="red", bold=True) + line if color else "\u2717 " + line)
    click.echo(f"\n{len(files) + len(bad)} post-mortems: {totals['pass']} pass, {totals['warn']} with warnings, "
               f"{totals['fail']} failing, {len(bad)} unreadable (--fail-on {fail_on}: exit {code})")
    return code
