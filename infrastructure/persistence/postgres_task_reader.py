"""Task reads on PostgreSQL through asyncpg: one statement a task or a page, no transaction.

A read needs no transaction: each statement sees one snapshot, and the tags
come in the same statement as their task, as an array beside each row. So a
read sends no ``BEGIN`` and no ``ROLLBACK``, and a task or a cursor page takes
one round trip (an offset page three: the total, the page, its tags).

The statements are built and compiled once for each combination of filters,
sort and paging mode (``_page_queries``), and run on the pooled asyncpg
connection itself, with their parameters in order: SQLAlchemy's execution
layer would cost more than the statement. A statement whose parameters must
be expanded at execution (``status`` and ``priority`` lists) goes through
SQLAlchemy, which does that.

Behind a transaction-mode pooler every statement must run inside a
transaction: ``SqlTaskReader`` serves there (``create_task_reader``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final, TypeVar

from sqlalchemy import ARRAY, BigInteger, Integer, Select, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from application.pagination import Page, PageRequest
from application.tasks.queries import TaskFilter, TaskSort
from application.tasks.views import TaskView
from infrastructure.persistence.failures import DatabaseFailure, classify
from infrastructure.persistence.keyset import seek
from infrastructure.persistence.mappers import task_view_from_columns
from infrastructure.persistence.pool_ping import connections_lost
from infrastructure.persistence.task_filters import filter_conditions, filter_parameters
from infrastructure.persistence.task_reader import (
    COLUMNS,
    SqlTaskReader,
    page_statement,
    sort_columns,
    sort_values,
    tag,
    task,
    task_tag,
)

T = TypeVar("T")

_TAG_NAMES = func.array(
    select(tag.c.name)
    .join(task_tag, task_tag.c.tag_id == tag.c.id)
    .where(task_tag.c.task_id == task.c.id)
    .order_by(tag.c.name)
    .scalar_subquery(),
    type_=ARRAY(String),
).label("tags")
_COLUMNS_AND_TAGS = (*COLUMNS, _TAG_NAMES)
_TAGS = len(COLUMNS)  # the position of the tags in a row


def create_task_reader(engine: AsyncEngine, *, pooled: bool) -> SqlTaskReader:
    """PostgreSQL's own reader on asyncpg without a transaction-mode pooler; else the
    portable one."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg" and not pooled:
        return PostgresTaskReader(engine)
    return SqlTaskReader(engine)


_DIALECT: Final = asyncpg.dialect()  # type: ignore[no-untyped-call]


class _Query:
    """A statement, and the same as asyncpg takes it: its SQL and the names of its ``$n``."""

    def __init__(self, statement: Select[Any]) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        self.statement = statement
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        # Lists bound to IN (...) are expanded by SQLAlchemy when the statement runs.
        self.expands = any(b.expanding for b in compiled.binds.values())

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        return [parameters[name] for name in self.names]


_ONE_TASK: Final = _Query(select(*_COLUMNS_AND_TAGS).where(task.c.id == bindparam("task_id")))
_TAGS_OF: Final = _Query(
    select(task.c.id, _TAG_NAMES).where(
        task.c.id == any_(bindparam("task_ids", type_=ARRAY(BigInteger)))
    )
)

Rows = Callable[[_Query, Mapping[str, Any]], Awaitable[Sequence[Any]]]


class PostgresTaskReader(SqlTaskReader):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._pool = engine

    async def _on_driver(self, work: Callable[[Rows], Awaitable[T]]) -> T:
        """Run ``work`` on a pooled asyncpg connection (checked out, and pinged, as any)."""
        pooled = await self._pool.raw_connection()
        driver: Any = pooled.driver_connection

        async def rows(query: _Query, parameters: Mapping[str, Any]) -> Sequence[Any]:
            found: Sequence[Any] = await driver.fetch(query.sql, *query.arguments(parameters))
            return found

        try:
            return await work(rows)
        except Exception as error:
            # SQLAlchemy's own handling, which discards a dead connection (and
            # retires the pool's older ones), was skipped.
            if classify(error) is DatabaseFailure.LOST:
                await greenlet_spawn(pooled.invalidate, error)
                connections_lost(self._pool.sync_engine.pool)
            raise
        finally:
            await greenlet_spawn(pooled.close)

    async def _on_sqlalchemy(self, work: Callable[[Rows], Awaitable[T]]) -> T:
        async with self._engine.connect() as connection:

            async def rows(query: _Query, parameters: Mapping[str, Any]) -> Sequence[Any]:
                found: Sequence[Any] = (await connection.execute(query.statement, parameters)).all()
                return found

            return await work(rows)

    async def get(self, task_id: int) -> TaskView | None:
        found = await self._on_driver(lambda rows: rows(_ONE_TASK, {"task_id": task_id}))
        return task_view_from_columns(found[0], tuple(found[0][_TAGS])) if found else None

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        parameters = filter_parameters(task_filter)
        seeking = page.after is not None
        rows_of, count_of = _page_queries(frozenset(parameters), sort, seeking)
        parameters["limit"] = page.limit + 1
        if page.after is None:
            parameters["offset"] = page.offset
        else:
            values = sort_values(sort, page.after)
            parameters.update((f"after_{i}", value) for i, value in enumerate(values))

        async def read(rows: Rows) -> Page[TaskView]:
            total = None if count_of is None else (await rows(count_of, parameters))[0][0]
            found = await rows(rows_of, parameters)
            listed = found[: page.limit]
            if seeking:
                tags = {row[0]: row[_TAGS] for row in listed}
            elif listed:
                ids = {"task_ids": [row[0] for row in listed]}
                # A task deleted since the page was read (another snapshot) has none.
                tags = {task_id: names for task_id, names in await rows(_TAGS_OF, ids)}
            else:
                tags = {}
            items = [task_view_from_columns(row, tuple(tags.get(row[0], ()))) for row in listed]
            return Page(items=items, limit=page.limit, total=total, more=len(found) > page.limit)

        return await (self._on_sqlalchemy if rows_of.expands else self._on_driver)(read)


@lru_cache(maxsize=512)
def _page_queries(
    names: frozenset[str], sort: TaskSort, seeking: bool
) -> tuple[_Query, _Query | None]:
    """The page (and, in offset mode, the count) for one combination of filters and a sort,
    on parameters: ``limit``, then ``offset`` or ``after_0``, ``after_1``... (the position).

    A cursor page carries its tags; an offset page does not: PostgreSQL would
    compute them for every row the offset skips. Its tags are a third query.
    """
    where = filter_conditions(names)
    limit = bindparam("limit", type_=Integer)
    if seeking:
        columns = sort_columns(sort)
        after = [bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(columns)]
        ordered = page_statement(where, sort, _COLUMNS_AND_TAGS)
        return _Query(
            ordered.where(seek(columns, after, descending=sort.descending)).limit(limit)
        ), None
    ordered = page_statement(where, sort)
    counted = select(func.count()).select_from(ordered.order_by(None).subquery())
    rows = ordered.offset(bindparam("offset", type_=Integer)).limit(limit)
    return _Query(rows), _Query(counted)
