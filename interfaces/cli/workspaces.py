"""``taskhex workspaces ...``: an operator's, outside every workspace."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from application.views import FoundedWorkspace, WorkspaceView
from application.workspaces.create_workspace import CreateWorkspace
from interfaces.cli import output
from interfaces.cli.keys import issued_json, print_issued
from interfaces.cli.options import Json
from interfaces.cli.runtime import run
from interfaces.container import Container

app = typer.Typer(
    name="workspaces",
    help="Create and list workspaces (the unit of isolation).",
    no_args_is_help=True,
)


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="1..120 characters, unique.")],
    as_json: Json = False,
) -> None:
    """Create a workspace with its first admin key, and print the key's secret this once."""

    async def body(services: Container) -> FoundedWorkspace:
        founded: FoundedWorkspace = await services.create_workspace()(CreateWorkspace(name))
        return founded

    founded = run(ctx, body)
    if as_json:
        output.print_json(
            {
                "workspace": {"id": founded.workspace.id, "name": founded.workspace.name},
                "key": issued_json(founded.key),
            }
        )
    else:
        typer.echo(f"created workspace {founded.workspace.name} (id {founded.workspace.id})")
        print_issued(founded.key)


@app.command("list")
def list_workspaces(ctx: typer.Context, as_json: Json = False) -> None:
    """Every workspace, by name."""

    async def body(services: Container) -> list[WorkspaceView]:
        found: list[WorkspaceView] = await services.list_workspaces()()
        return found

    workspaces = run(ctx, body)
    if as_json:
        output.print_json(
            {
                "items": [
                    {"id": w.id, "name": w.name, "created_at": output.instant(w.created_at)}
                    for w in workspaces
                ]
            }
        )
        return
    table = Table(box=box.SIMPLE_HEAD, caption=f"{len(workspaces)} workspace(s)")
    table.add_column("id", justify="right")
    table.add_column("name")
    table.add_column("created")
    for w in workspaces:
        table.add_row(str(w.id), Text(w.name, overflow="fold"), output.minute(w.created_at))
    output.stdout().print(table)
