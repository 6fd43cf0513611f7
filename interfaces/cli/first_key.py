"""The key ``taskhex serve`` makes on a fresh SQLite database, so that ``make run`` can be used.

Every ``/api/v1`` request needs a key, and keys are made on the command line:
a developer who just ran ``make run`` would have none. On SQLite, and only
while no workspace has a key at all, ``serve`` makes an admin key of
``default`` and prints it once. Never on PostgreSQL: a shared database gets
its workspaces and keys from an operator (``taskhex workspaces create``), and
a key printed to a server's log would be a key in its log.
"""

from __future__ import annotations

from typing import Final

import typer

from application.callers import acting_as
from application.keys.create_key import CreateKey
from application.views import IssuedKey
from domain.workspaces import Role
from infrastructure.database.urls import sync_url
from interfaces.cli.options import DEFAULT_WORKSPACE
from interfaces.cli.runtime import acting_in
from interfaces.container import Container

NAME: Final = "made by taskhex serve"


async def first_key(services: Container) -> IssuedKey | None:
    """An admin key of ``default``, made when the database is SQLite and holds no key at all;
    ``None`` (and nothing made, nothing asked of PostgreSQL) otherwise."""
    url = services.settings().database_url.get_secret_value()
    if not sync_url(url).is_sqlite or await services.workspace_reader().has_keys():
        return None
    with acting_as(await acting_in(services, DEFAULT_WORKSPACE)):
        issued: IssuedKey = await services.create_key()(CreateKey(NAME, Role.ADMIN))
    return issued


def announce(issued: IssuedKey) -> None:
    typer.echo(
        f"No API key existed: made an admin key of the '{DEFAULT_WORKSPACE}' workspace, "
        "shown only this once. Send it with every /api/v1 request:"
    )
    typer.echo(f"Authorization: Bearer {issued.secret}")
