"""The SQL unit of work: one connection, one transaction, committed only by ``commit()``."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.ports import UnitOfWork
from infrastructure.persistence.idempotency import SqlIdempotencyStore
from infrastructure.persistence.projects.repository import SqlProjectRepository
from infrastructure.persistence.tasks.repository import SqlTaskRepository
from infrastructure.persistence.users.repository import SqlUserRepository


class SqlUnitOfWork(UnitOfWork):
    """Every repository works on the same connection, which begins the transaction with
    its first statement. Leaving the block by an exception, or without committing, rolls
    back."""

    tasks: SqlTaskRepository
    users: SqlUserRepository
    projects: SqlProjectRepository
    idempotency: SqlIdempotencyStore

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> Self:
        self._connection: AsyncConnection = await self._engine.connect()
        self.tasks = SqlTaskRepository(self._connection)
        self.users = SqlUserRepository(self._connection)
        self.projects = SqlProjectRepository(self._connection)
        self.idempotency = SqlIdempotencyStore(self._connection)
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

    async def rollback(self) -> None:
        await self._connection.rollback()
