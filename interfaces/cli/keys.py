"""``taskhex keys ...``: the API keys of a workspace, as an operator manages them.

A key's secret is printed once, by the command that creates it, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from application.keys.create_key import CreateKey
from application.pagination import LIMIT_MAX, PageQuery
from application.views import IssuedKey, KeyView
from domain.workspaces import Role
from interfaces.cli import output
from interfaces.cli.options import DEFAULT_WORKSPACE, MAX_ID, Json, Workspace
from interfaces.cli.runtime import run
from interfaces.container import Container

app = typer.Typer(
    name="keys", help="Create, list and revoke the API keys of a workspace.", no_args_is_help=True
)


def key_json(view: KeyView) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "role": view.role.value,
        "prefix": view.prefix,
        "created_at": output.instant(view.created_at),
        "last_used_at": output.instant(view.last_used_at),
    }


def issued_json(issued: IssuedKey) -> dict[str, Any]:
    """The contract's ``key`` object, which ``workspaces create`` prints too."""
    key = issued.key
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role.value,
        "prefix": key.prefix,
        "secret": issued.secret,
    }


def print_issued(issued: IssuedKey) -> None:
    """A new key for people: the secret alone on its line of stdout, the warning on stderr."""
    key = issued.key
    typer.echo(f"{key.role.value} key {key.id} ({key.name}, prefix {key.prefix}):")
    typer.echo(issued.secret)
    typer.echo(
        "warning: the key is shown only this once and cannot be read back; store it now. "
        "Send it as 'Authorization: Bearer <key>'.",
        err=True,
    )


def keys_table(keys: list[KeyView]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, caption=f"{len(keys)} key(s)")
    table.add_column("id", justify="right")
    for column in ("name", "role", "prefix", "created", "last used"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            str(key.id),
            Text(key.name, overflow="fold"),
            key.role.value,
            key.prefix,
            output.minute(key.created_at),
            output.minute(key.last_used_at),
        )
    return table


@app.command()
def create(
    ctx: typer.Context,
    role: Annotated[Role, typer.Option(help="reader, writer or admin.")],
    name: Annotated[str, typer.Option(help="1..120 characters, to recognise the key.")] = "cli",
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Create a key and print it, with its secret, this once."""

    async def body(services: Container) -> IssuedKey:
        issued: IssuedKey = await services.create_key()(CreateKey(name=name, role=role.value))
        return issued

    issued = run(ctx, body)
    if as_json:
        output.print_json(issued_json(issued))
    else:
        print_issued(issued)


@app.command("list")
def list_keys(
    ctx: typer.Context, as_json: Json = False, workspace: Workspace = DEFAULT_WORKSPACE
) -> None:
    """Every key of the workspace, oldest first; never a secret."""

    async def body(services: Container) -> list[KeyView]:
        handler, found = services.list_keys(), []
        page = await handler(PageQuery(limit=LIMIT_MAX))
        found += page.items
        while page.next_cursor is not None:
            page = await handler(PageQuery(limit=LIMIT_MAX, cursor=page.next_cursor))
            found += page.items
        return found

    keys = run(ctx, body)
    if as_json:
        output.print_json({"items": [key_json(k) for k in keys]})
    else:
        output.stdout().print(keys_table(keys))


@app.command()
def revoke(
    ctx: typer.Context,
    key_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The key's id.")],
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Delete a key: requests with it are refused within seconds. The workspace's last admin
    key is kept (exit 4)."""

    async def body(services: Container) -> None:
        await services.revoke_key()(key_id)

    run(ctx, body)
    typer.echo(f"revoked API key {key_id}")
