"""How a command runs a use case: one container, one event loop, errors mapped once.

Every command that touches the data calls ``run(ctx, body)``: it builds one
``Container`` (from the environment, or from the factory a caller passed as
``obj`` — tests do), initialises it, awaits ``body(container)`` inside
``asyncio.run``, and disposes the container whatever happens. An exception
becomes one line on stderr and the exit code of its class (``errors``).

A command that acts in a workspace takes the ``--workspace`` option
(``options.Workspace``): ``run`` finds the workspace of that name and runs the
body as an admin of it (an operator at the shell holds the database itself).
A command without the option (``workspaces ...``) runs outside every workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.engine import make_url

from application.callers import Caller, acting_as
from application.errors import NotFound
from domain.workspaces import Role
from interfaces.cli.errors import CliError, ExitCode, fail
from interfaces.cli.options import WORKSPACE_OPTION
from interfaces.container import Container, dispose

T = TypeVar("T")

ContainerFactory = Callable[[], Container]


def container_factory(ctx: typer.Context) -> ContainerFactory:
    found = ctx.find_root().obj
    return found if callable(found) else Container


def run(ctx: typer.Context, body: Callable[[Container], Awaitable[T]]) -> T:
    container = container_factory(ctx)()
    workspace: str | None = ctx.params.get(WORKSPACE_OPTION)
    try:
        return asyncio.run(_lifetime(container, body, workspace))
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        fail(error, secrets_of(container))


def secrets_of(container: Container) -> list[str]:
    """What must never be printed: the database password and the URL that carries it, and the
    runtime role's password."""
    with contextlib.suppress(Exception):
        settings = container.settings()
        url = settings.database_url.get_secret_value()
        runtime = settings.db_runtime_password
        found = [url, make_url(url).password, runtime.get_secret_value() if runtime else None]
        return [secret for secret in found if secret]
    return []


async def acting_in(container: Container, workspace: str) -> Caller:
    """An admin of the workspace named ``workspace``; a clear error when there is none."""
    try:
        found = await container.find_workspace()(workspace)
    except NotFound:
        raise CliError(
            f"no workspace is named {workspace.strip()!r} (taskhex workspaces list shows them)",
            ExitCode.NOT_FOUND,
        ) from None
    return Caller(found.id, Role.ADMIN)


async def _lifetime(
    container: Container, body: Callable[[Container], Awaitable[T]], workspace: str | None
) -> T:
    started = container.init_resources()
    if inspect.isawaitable(started):
        await started
    try:
        if workspace is None:
            result = await body(container)
        else:
            with acting_as(await acting_in(container, workspace)):
                result = await body(container)
    except BaseException:
        # Disposing must not hide the error that brought us here.
        with contextlib.suppress(Exception):
            await dispose(container)
        raise
    await dispose(container)
    return result
