"""The ``taskhex`` command line.

It never imports FastAPI: ``serve`` hands uvicorn the path of the app factory.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn

from infrastructure.persistence import migrations
from infrastructure.persistence.urls import sync_url
from infrastructure.settings import Settings

app = typer.Typer(help="taskhex: a hexagonal task service.", no_args_is_help=True)
db = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db, name="db")


def _database_url() -> str:
    return Settings().database_url.get_secret_value()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API. On SQLite the schema is brought up to date first."""
    url = _database_url()
    if sync_url(url).is_sqlite:
        migrations.upgrade(url)
    uvicorn.run(
        "interfaces.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=Settings().log_level.lower(),
    )


@db.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION."""
    migrations.upgrade(_database_url(), revision)
    typer.echo(f"database at {migrations.current(_database_url()) or 'base'}")


@db.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    migrations.downgrade(_database_url(), revision)
    typer.echo(f"database at {migrations.current(_database_url()) or 'base'}")


@db.command()
def current() -> None:
    """Print the revision the database is at."""
    typer.echo(migrations.current(_database_url()) or "base")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app()
