"""``taskhex db ...``: the schema, through Alembic on the synchronous driver.

Migrations use ``Settings.migrations_database_url``: the direct connection
(``DATABASE_DIRECT_URL``) when the app itself goes through a pooler.
"""

from __future__ import annotations

from typing import Annotated

import typer

from infrastructure.persistence import migrations
from infrastructure.persistence.workspaces import isolation
from interfaces.cli.errors import exit_on_error
from interfaces.cli.runtime import container_factory, secrets_of

app = typer.Typer(name="db", help="Database schema (Alembic migrations).", no_args_is_help=True)


def _migrate(ctx: typer.Context, step: str | None, revision: str | None) -> None:
    """Run one migration ``step`` (or none) and print the revision reached."""
    container = container_factory(ctx)()
    with exit_on_error(secrets_of(container)):
        url = container.settings().migrations_database_url.get_secret_value()
        if step == "upgrade":
            migrations.upgrade(url, revision or "head")
            runtime = container.settings().db_runtime_password
            if runtime is not None and url.startswith("postgres"):
                isolation.let_runtime_role_log_in(url, runtime.get_secret_value())
        elif step == "downgrade":
            migrations.downgrade(url, revision or "-1")
        reached = migrations.current(url) or "base"
    typer.echo(reached if step is None else f"database at {reached}")


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION."""
    _migrate(ctx, "upgrade", revision)


@app.command()
def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    _migrate(ctx, "downgrade", revision)


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the revision the database is at ("base" when it has no schema)."""
    _migrate(ctx, None, None)
