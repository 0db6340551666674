"""`pmtui trust`: the user's decisions about where credentials may go
(pmtui.trust), kept in the user's own config, never in a post-mortem."""

from __future__ import annotations

import click

from pmtui.cli.errors import fail
from pmtui.textsafe import one_line


@click.command("trust")
@click.argument("url", required=False)
@click.option("--credential", "credentials", multiple=True, metavar="C",
              help="What URL may receive: github, or env:NAME (repeatable).")
@click.option("--env", "env_names", multiple=True, metavar="NAME",
              help="Let post-mortem files name environment variable NAME as a credential (repeatable).")
@click.option("--list", "show", is_flag=True, help="Show what is trusted.")
def trust(url: str | None, credentials: tuple[str, ...], env_names: tuple[str, ...], show: bool) -> None:
    """Trust URL's server with a credential, or let files name an
    environment variable as one. Stored in your config (trust.toml), not in
    any post-mortem: a shared file never decides where your secrets go."""
    from pmtui.trust import Trust, TrustError, origin

    try:
        current = Trust.load()
        if url and not credentials:
            fail("pmtui trust URL: say which credential with --credential github or --credential env:NAME")
        if credentials and not url:
            fail("--credential needs the URL it is trusted to")
        for name in env_names:
            path = current.allow_env(name)
            click.echo(f"files may now name {one_line(name)} as a credential ({path})")
        for cred in credentials:
            if cred != "github" and not (cred.startswith("env:") and len(cred) > 4):
                fail(f"--credential {cred!r}: expected github or env:NAME")
            assert url is not None
            path = current.remember(url, cred)
            click.echo(f"{origin(url)} may now receive {one_line(cred)} ({path})")
    except TrustError as exc:
        fail(exc)
    except OSError as exc:
        fail(f"cannot write your trust file: {exc.strerror or exc}")
    if show or not (url or env_names):
        click.echo(f"environment variables files may name: {', '.join(sorted(current.credential_env)) or '(none)'}")
        for where, creds in sorted(current.endpoints.items()):
            click.echo(f"{where}: {', '.join(sorted(creds))}")
        click.echo("https://api.github.com: github (always)")
