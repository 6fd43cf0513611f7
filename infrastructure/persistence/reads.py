"""How readers run their statements: one connection at a time, outside any unit of work.

Every read runs in the caller's workspace: its statements are bound to it
(``scope.parameters``) and, on PostgreSQL, enter it (``isolation``).
``SqlAlchemyReads`` is the shared path: a transaction of its own, begun in the
workspace. ``AsyncpgReads`` runs the same statements, compiled once for
asyncpg, on the pooled asyncpg connection itself, below SQLAlchemy's execution
layer, each entering its workspace itself (``isolation.entering_in``): one
round trip a statement, where a transaction costs two more. It binds no list to
expand, and needs a direct connection whose session is the runtime role's.
``DB_FAST_READS`` chooses, on the bench's evidence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cached_property
from typing import Any, Final, Protocol

from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

from infrastructure.database.failures import DatabaseFailure, classify
from infrastructure.database.pings import connections_lost
from infrastructure.persistence import scope
from infrastructure.persistence.workspaces import isolation

_ASYNCPG: Final = asyncpg.dialect()  # type: ignore[no-untyped-call]

Run = Callable[["Query", Mapping[str, Any]], Awaitable[Sequence[Any]]]


class Query:
    """A statement built once; for asyncpg, its SQL and the names of its ``$n`` in order."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement

    @cached_property
    def _for_asyncpg(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        assert isinstance(self.statement, ClauseElement)
        compiled = self.statement.compile(dialect=_ASYNCPG)
        assert isinstance(compiled, SQLCompiler)
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("a list to expand cannot be bound on asyncpg's own protocol")
        # Values the statement carries itself (literals become parameters too).
        carried = {name: value for name, value in compiled.params.items() if value is not None}
        names = tuple(compiled.positiontup or ())
        # The workspace, as text, is the last parameter.
        return isolation.entering_in(compiled.string, len(names) + 1), names, carried

    def asyncpg_arguments(self, parameters: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL for asyncpg, entering the workspace bound in ``parameters``, and its
        arguments."""
        sql, names, carried = self._for_asyncpg
        arguments = [parameters[n] if n in parameters else carried[n] for n in names]
        return sql, [*arguments, str(parameters[scope.PARAMETER])]


class Reads(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Run]:
        """A connection to run queries on, given back when the block ends."""
        ...


class SqlAlchemyReads(Reads):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Run]:
        bound = scope.parameters()
        async with self._engine.connect() as connection:
            await isolation.enter(connection, bound[scope.PARAMETER])

            async def run(query: Query, parameters: Mapping[str, Any]) -> Sequence[Any]:
                return (await connection.execute(query.statement, {**parameters, **bound})).all()

            yield run


class AsyncpgReads(Reads):
    """Connections checked out (and pinged) as any; a lost one is discarded as SQLAlchemy
    would discard it (``pooled.invalidate``), and the pool's older ones pinged next."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Run]:
        bound = scope.parameters()
        pooled = await self._engine.raw_connection()
        driver: Any = pooled.driver_connection

        async def run(query: Query, parameters: Mapping[str, Any]) -> Sequence[Any]:
            sql, arguments = query.asyncpg_arguments({**parameters, **bound})
            found: Sequence[Any] = await driver.fetch(sql, *arguments)
            return found

        try:
            yield run
        except Exception as error:
            if classify(error) is DatabaseFailure.LOST:
                await greenlet_spawn(pooled.invalidate, error)
                connections_lost(self._engine.sync_engine.pool)
            raise
        finally:
            await greenlet_spawn(pooled.close)


def create_reads(engine: AsyncEngine, *, pooled: bool, fast: bool = True) -> Reads:
    """asyncpg's own protocol on a direct PostgreSQL connection (unless not ``fast``);
    the shared path everywhere else."""
    if (
        fast
        and not pooled
        and engine.dialect.name == "postgresql"
        and engine.dialect.driver == "asyncpg"
    ):
        return AsyncpgReads(engine)
    return SqlAlchemyReads(engine)


async def first(reads: Reads, query: Query, parameters: Mapping[str, Any]) -> Any | None:
    """The first row ``query`` finds, or ``None``."""
    async with reads() as run:
        found = await run(query, parameters)
    return found[0] if found else None
