from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from application.errors import ConcurrentUpdate
from application.ports import UnitOfWork
from infrastructure.persistence.idempotency import SqlIdempotencyStore
from infrastructure.persistence.repositories import (
    SqlProjectRepository,
    SqlTaskRepository,
    SqlUserRepository,
)


class SqlUnitOfWork(UnitOfWork):
    """One session, one transaction: committed only by ``commit()``.

    Leaving the block by an exception, or without committing, rolls back.
    """

    tasks: SqlTaskRepository
    users: SqlUserRepository
    projects: SqlProjectRepository
    idempotency: SqlIdempotencyStore

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.tasks = SqlTaskRepository(self._session)
        self.users = SqlUserRepository(self._session)
        self.projects = SqlProjectRepository(self._session)
        self.idempotency = SqlIdempotencyStore(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed and hands the connection back.
        await self._session.close()

    async def commit(self) -> None:
        try:
            await self._session.commit()
        except StaleDataError as error:
            raise ConcurrentUpdate("aggregate") from error

    async def rollback(self) -> None:
        await self._session.rollback()
