from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
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
    """One connection, one transaction: committed only by ``commit()``.

    Leaving the block by an exception, or without committing, rolls back.
    Statements built once run on the connection itself, which begins the
    transaction with the first of them; an ORM session, for the repositories
    that load and save rows, is made on first use and joins the same
    transaction (it never commits it).
    """

    tasks: SqlTaskRepository
    users: SqlUserRepository
    projects: SqlProjectRepository
    idempotency: SqlIdempotencyStore

    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine) -> None:
        self._sessions = sessions
        self._engine = engine

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        self._session: AsyncSession | None = None
        self.tasks = SqlTaskRepository(self._orm, self._connection)
        self.users = SqlUserRepository(self._orm, self._connection)
        self.projects = SqlProjectRepository(self._orm, self._connection)
        self.idempotency = SqlIdempotencyStore(self._connection)
        return self

    async def _orm(self) -> AsyncSession:
        if self._session is None:
            # Begun here, so that the session joins the transaction instead of owning it.
            if not self._connection.in_transaction():
                await self._connection.begin()
            self._session = self._sessions(bind=self._connection)
        return self._session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed and hands the connection back.
        try:
            await self._close_session()
        finally:
            await self._connection.close()

    async def commit(self) -> None:
        if self._session is not None:
            try:
                await self._session.flush()
            except StaleDataError as error:
                raise ConcurrentUpdate("aggregate") from error
        await self._close_session()
        await self._connection.commit()

    async def rollback(self) -> None:
        await self._close_session()
        await self._connection.rollback()

    async def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
