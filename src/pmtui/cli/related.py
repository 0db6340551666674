"""`pmtui related FILE [DIR…]`: the incidents a post-mortem names as
related, and the ones the library suggests, ranked by what they share
(services, factor categories, alert names, log signatures, words of the
root cause), with the reasons. Folders default to the git repository the
file sits in (or its folder)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pmtui.cli.errors import UserError, fail, load_document, say
from pmtui.cli.library import clean, clock, load, table


def _library_root(path: Path) -> Path:
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


@click.command("related")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("dirs", nargs=-1, metavar="[DIR…]")
@click.option("--json", "as_json", is_flag=True, help="Print the related and suggested incidents as JSON.")
@click.option("--limit", type=click.IntRange(min=1), default=5, show_default=True, help="Suggestions at most.")
def related(file: Path, dirs: tuple[str, ...], as_json: bool, limit: int) -> None:
    from pmtui.library.related import Index
    from pmtui.library.summary import summarise
    from pmtui.team import load_team

    try:
        doc = load_document(file)
    except UserError as exc:
        fail(exc)
    now = clock(None)
    target = summarise(doc.pm, now, load_team(file.parent))
    roots = list(dirs) or [str(_library_root(file))]
    result = load(roots)
    mine = file.resolve()
    others = [e.info for e in result.good if e.path.resolve() != mine]
    index = Index([*others, target])
    named = index.resolve(target.related)
    suggested = index.suggest(target, limit=limit)
    if as_json:
        out = {
            "id": target.id,
            "related": [{"id": i, "title": s.title if s else None, "found": s is not None} for i, s in named],
            "suggested": [x.to_json() for x in suggested],
            "folders": roots,
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not target.id:
        say(f"pmtui: {file}: has no id, so other post-mortems cannot name it as related")
    if named:
        rows = [[clean(i, 40), clean(s.title, 60) if s else "(not in these folders)"] for i, s in named]
        click.echo("Named in the file:")
        click.echo(table(["Id", "Title"], rows, flex=1))
    else:
        click.echo("Named in the file: none")
    click.echo("")
    if suggested:
        rows = [[clean(x.id, 40), f"{x.score:.1f}", clean(x.title, 50), clean("; ".join(x.reasons), 200)]
                for x in suggested]
        click.echo(f"Maybe related (of {len(others)} in {', '.join(clean(r) for r in roots)}):")
        click.echo(table(["Id", "Score", "Title", "Shared"], rows, flex=3))
    else:
        click.echo(f"Maybe related: nothing shares enough with it among {len(others)} post-mortems")
