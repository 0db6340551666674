"""`pmtui completion SHELL`: the shell completion script, from click's own
completion support (subcommands, options, file names)."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(pmtui completion bash)"   (in ~/.bashrc)
    zsh:   eval "$(pmtui completion zsh)"    (in ~/.zshrc)
    fish:  pmtui completion fish > ~/.config/fish/completions/pmtui.fish
    """
    from click.shell_completion import get_completion_class

    from pmtui.cli.group import main

    cls = get_completion_class(shell)
    if cls is None:  # click knows every shell in SHELLS; a future click might not
        raise click.UsageError(f"click has no completion for {shell}")
    click.echo(cls(main, {}, "pmtui", "_PMTUI_COMPLETE").source())
