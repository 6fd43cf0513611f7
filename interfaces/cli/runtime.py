"""How a command runs a use case: one container, one event loop, errors mapped once.

Every command that touches the data calls ``run(ctx, body)``: it builds one
``Container`` (from the environment, or from the factory a caller passed as
``obj`` — tests do), initialises it, awaits ``body(container)`` inside
``asyncio.run``, and disposes the container whatever happens. An exception
becomes one line on stderr and the exit code of its class (``errors``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.engine import make_url

from interfaces.cli.errors import fail
from interfaces.container import Container, dispose

T = TypeVar("T")

ContainerFactory = Callable[[], Container]


def container_factory(ctx: typer.Context) -> ContainerFactory:
    found = ctx.find_root().obj
    return found if callable(found) else Container


def run(ctx: typer.Context, body: Callable[[Container], Awaitable[T]]) -> T:
    container = container_factory(ctx)()
    try:
        return asyncio.run(_lifetime(container, body))
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


async def _lifetime(container: Container, body: Callable[[Container], Awaitable[T]]) -> T:
    started = container.init_resources()
    if inspect.isawaitable(started):
        await started
    try:
        result = await body(container)
    except BaseException:
        # Disposing must not hide the error that brought us here.
        with contextlib.suppress(Exception):
            await dispose(container)
        raise
    await dispose(container)
    return result
