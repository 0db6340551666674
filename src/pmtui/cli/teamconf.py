"""`pmtui team [PATH]`: which .pmtui.toml files apply to a post-mortem (or
folder), what they say, and what is wrong in them; plus the helper every
command uses to read the team's conventions (problems shown as warnings:
a bad config never stops a command)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmtui.cli.errors import EXIT_FAILED, EXIT_OK, say

if TYPE_CHECKING:
    from pmtui.team import TeamResult


def team_for(path: str | Path, *, quiet: bool = False) -> TeamResult:
    """The team conventions for a post-mortem at `path`; each problem in
    them is printed as one warning line on standard error."""
    from pmtui.team import load_team

    result = load_team(Path(path))
    if not quiet:
        for p in result.problems:
            say(f"pmtui: {p.format()}")
    return result


@click.command("team")
@click.argument("path", default=".", metavar="[PATH]")
@click.option("--json", "as_json", is_flag=True, help="Print the settings and problems as JSON.")
def team(path: str, as_json: bool) -> None:
    """Show the team conventions (.pmtui.toml) that apply at PATH: exit 0, or 1 when they have errors."""
    from pmtui.team import templates

    result = team_for(path, quiet=True)
    cfg = result.config
    tpl = templates.template_for(cfg)
    if as_json:
        payload = {
            "files": [str(f) for f in cfg.files],
            "problems": [p.__dict__ for p in result.problems],
            "template": tpl.name,
            "sections": [{"key": s.key, "heading": s.heading, "prose": s.prose} for s in tpl.sections],
            "severities": [s.__dict__ for s in cfg.severities],
            "types": [t.__dict__ for t in cfg.types],
            "fields": [{**f.__dict__, "choices": list(f.choices)} for f in cfg.fields],
            "roles": [r.__dict__ for r in cfg.roles],
            "people": [{**p.__dict__, "aliases": list(p.aliases)} for p in cfg.people],
            "checks": {**cfg.checks.__dict__, "disable": sorted(cfg.checks.disable)},
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        from pmtui.textsafe import one_line

        out = click.echo
        out("files: " + (", ".join(one_line(str(f)) for f in cfg.files) or "none (defaults)"))
        out(f"template: {tpl.name} — {tpl.title}")
        out("sections: " + ", ".join(one_line(s.heading) for s in tpl.sections))
        out("severity: " + "; ".join(one_line(f"{s.name}: {s.description}" if s.description else s.name)
                                     for s in cfg.severities))
        out("types: " + ", ".join(one_line(t.name + (" (near-miss)" if t.near_miss else "")) for t in cfg.types))
        if cfg.fields:
            out("fields: " + ", ".join(one_line(f"{f.name} ({f.type}{', required' if f.required else ''})")
                                       for f in cfg.fields))
        if cfg.roles:
            out("roles: " + ", ".join(one_line(r.title + (" (required)" if r.required else "")) for r in cfg.roles))
        if cfg.people:
            out(f"people: {len(cfg.people)}")
        if cfg.checks.disable:
            out("checks disabled: " + ", ".join(sorted(cfg.checks.disable)))
        for p in result.problems:
            out(one_line(p.format()))
    raise SystemExit(EXIT_FAILED if result.errors else EXIT_OK)
