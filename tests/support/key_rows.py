"""The ``api_key`` rows behind test keys: revoked as ``DELETE /api/v1/keys/{id}`` will revoke
them (the row goes), and read back (``last_used_at``), each in its own workspace."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import delete, select

from infrastructure.auth.api_keys import hash_key_from, hash_of
from infrastructure.persistence import scope
from infrastructure.persistence.workspaces import isolation
from infrastructure.persistence.workspaces.table import api_key
from interfaces.container import Container


def stored_hash(container: Container, secret: str) -> bytes:
    """The hash under which the service stores ``secret``."""
    return hash_of(secret, hash_key_from(container.settings()))


async def revoke(container: Container, secret: str, workspace_id: int = 1) -> None:
    """Delete the row of ``secret``'s key; it must have been there."""
    async with container.engine().begin() as connection:
        await isolation.enter(connection, workspace_id)
        gone = await connection.execute(
            delete(api_key).where(
                scope.of(api_key), api_key.c.key_hash == stored_hash(container, secret)
            ),
            {scope.PARAMETER: workspace_id},
        )
    assert gone.rowcount == 1, "no such key to revoke"


async def last_used_at(container: Container, secret: str, workspace_id: int = 1) -> datetime | None:
    """The ``last_used_at`` of ``secret``'s key, as stored."""
    async with container.engine().begin() as connection:
        await isolation.enter(connection, workspace_id)
        rows = await connection.execute(
            select(api_key.c.last_used_at).where(
                scope.of(api_key), api_key.c.key_hash == stored_hash(container, secret)
            ),
            {scope.PARAMETER: workspace_id},
        )
        [used] = rows.scalars().all()
    assert used is None or isinstance(used, datetime)
    return used


async def within(
    seconds: float, condition: Callable[[], Awaitable[bool]], every: float = 0.1
) -> float | None:
    """Poll ``condition`` every ``every`` seconds for at most ``seconds``: how long it took
    to hold (from the call), or ``None`` if it never did."""
    started = time.monotonic()
    while True:
        if await condition():
            return time.monotonic() - started
        if time.monotonic() - started >= seconds:
            return None
        await asyncio.sleep(every)
