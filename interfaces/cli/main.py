"""The ``taskhex`` command line: the second driving adapter, beside the HTTP API.

It drives the same use cases through the same container (``runtime.run``) and
never imports FastAPI: ``serve`` hands uvicorn the path of the app factory and
``openapi`` builds the schema in a child process. Each module of this package
is one command or group (a ``typer.Typer`` named ``app``), listed in
``COMMANDS``; a new group (``users``, ``projects``) is one more module there.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from infrastructure.database.urls import sync_url
from infrastructure.logging import configure_logging
from infrastructure.persistence import migrations
from infrastructure.settings import Settings
from interfaces.cli import db, first_key, keys, openapi, seed, tasks, transfer, workspaces
from interfaces.cli.errors import OneLineErrors, exit_on_error
from interfaces.cli.runtime import run

app = typer.Typer(
    help="taskhex: a hexagonal task service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
)

COMMANDS = (tasks, workspaces, keys, db, seed, transfer, openapi)
for module in COMMANDS:
    app.add_typer(module.app)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API. On SQLite the schema is brought up to date first, and while no
    API key exists at all an admin key of the default workspace is made and printed once."""
    with exit_on_error():
        settings = Settings()
        url = settings.migrations_database_url.get_secret_value()
        if sync_url(url).is_sqlite:
            migrations.upgrade(url)
    issued = run(ctx, first_key.first_key)
    if issued is not None:
        first_key.announce(issued)
    if workers > 1 and settings.rate_limits and settings.redis_url is None:
        typer.echo(
            f"warning: without REDIS_URL each of the {workers} workers counts rate limits on "
            "its own, so a client gets up to that many times its budget",
            err=True,
        )
    uvicorn.run(
        "interfaces.api.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
        # No Server header: it would tell every client which server, and which version.
        server_header=False,
    )


def main() -> None:
    """The console script: configure logging from the environment, then run the command.

    Settings that cannot be read stop every command, with exit code 2.
    """
    try:
        with exit_on_error():
            settings = Settings()
            configure_logging(settings.log_level, settings.log_format)
    except typer.Exit as stop:
        raise SystemExit(stop.exit_code) from None
    app()
