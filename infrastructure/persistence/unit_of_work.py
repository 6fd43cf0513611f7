"""The SQL unit of work: one connection, one transaction, committed only by ``commit()``,
in the caller's workspace."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application import callers
from application.ports import UnitOfWork
from infrastructure.persistence.access.key_repository import SqlKeyRepository
from infrastructure.persistence.idempotency import SqlIdempotencyStore
from infrastructure.persistence.projects.repository import SqlProjectRepository
from infrastructure.persistence.scope import InWorkspace
from infrastructure.persistence.tasks.repository import SqlTaskRepository
from infrastructure.persistence.users.repository import SqlUserRepository
from infrastructure.persistence.workspaces import isolation


class SqlUnitOfWork(UnitOfWork):
    """Every repository works on the same connection, whose transaction begins in the
    caller's workspace (``isolation.enter``) and binds every statement to it; so does each
    transaction after a ``commit()`` or ``rollback()``. Leaving the block by an exception,
    or without committing, rolls back."""

    tasks: SqlTaskRepository
    users: SqlUserRepository
    projects: SqlProjectRepository
    idempotency: SqlIdempotencyStore
    keys: SqlKeyRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> Self:
        self._workspace_id = workspace_id = callers.current().workspace_id
        self._connection: AsyncConnection = await self._engine.connect()
        try:
            await isolation.enter(self._connection, workspace_id)
        except BaseException:
            await self._connection.close()
            raise
        scoped = InWorkspace(self._connection, workspace_id)
        self.tasks = SqlTaskRepository(scoped)
        self.users = SqlUserRepository(scoped)
        self.projects = SqlProjectRepository(scoped)
        self.idempotency = SqlIdempotencyStore(scoped)
        self.keys = SqlKeyRepository(scoped)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed and hands the connection back.
        await self._connection.close()

    async def commit(self) -> None:
        await self._connection.commit()
        await isolation.enter(self._connection, self._workspace_id)

    async def rollback(self) -> None:
        await self._connection.rollback()
        await isolation.enter(self._connection, self._workspace_id)
