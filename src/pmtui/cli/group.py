"""The click group behind `pmtui` (pmtui.cli imports this only when click
is really needed: not for a plain `pmtui --help`)."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from pmtui.cli.commands import BY_NAME, COMMANDS, SUMMARY, synopsis_text


class LazyGroup(click.Group):
    """A group whose subcommands are imported on use, and whose first
    argument, when it is not a subcommand, is a file to open in the app."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [c.name for c in COMMANDS]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = BY_NAME.get(name)
        if command is None:
            return None
        module_name, attr = command.target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(c.name, c.help) for c in COMMANDS])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in BY_NAME and not args[0].startswith("-"):
            args = ["open", *args]
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=f"{SUMMARY}\n\n\b\n{synopsis_text()}",
)
@click.version_option(package_name="pmtui")
@click.pass_context
def main(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        import sys

        from pmtui.cli.app import folder_has_postmortems, open_library

        if sys.stdin.isatty() and sys.stdout.isatty() and folder_has_postmortems(Path.cwd()):
            open_library([Path(".")])
            return
        click.echo(ctx.get_help())


@click.command("open")
@click.argument("file", type=click.Path(path_type=Path))
def open_file(file: Path) -> None:
    """Open the app on FILE (created if missing, after asking for a title)."""
    from pmtui.cli.app import open_path

    open_path(file)


@click.command("demo")
def demo() -> None:
    """Open the app on a copy of the bundled demo incident (no network)."""
    from pmtui.cli.app import run_demo

    run_demo()
