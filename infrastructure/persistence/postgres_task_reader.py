"""Task reads on PostgreSQL through asyncpg: one statement a task or a page, no transaction.

A read needs no transaction: each statement sees one snapshot, and the tags
come in the same statement as their task, as an array beside each row. So a
read sends no ``BEGIN`` and no ``ROLLBACK``, and takes one round trip.

The statements are built and compiled once for each combination of filters,
sort and paging mode (``_page_statements``), and run on the pooled asyncpg
connection itself, with their parameters in order: SQLAlchemy's execution
layer would cost more than the statement. A statement whose parameters must
be expanded at execution (``status`` and ``priority`` lists) goes through
SQLAlchemy, which does that.

Behind a transaction-mode pooler every statement must run inside a
transaction: ``SqlTaskReader`` serves there (``create_task_reader``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ARRAY, Integer, Select, String, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from application.pagination import Page, PageRequest
from application.tasks.queries import TaskFilter, TaskSort
from application.tasks.views import TaskView
from infrastructure.persistence.failures import DatabaseFailure, classify
from infrastructure.persistence.keyset import seek
from infrastructure.persistence.mappers import task_view_from_columns
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
_ONE_TASK = select(*_COLUMNS_AND_TAGS).where(task.c.id == bindparam("task_id"))


def create_task_reader(engine: AsyncEngine, *, pooled: bool) -> SqlTaskReader:
    """PostgreSQL's own reader on asyncpg without a transaction-mode pooler; else the
    portable one."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg" and not pooled:
        return PostgresTaskReader(engine)
    return SqlTaskReader(engine)


class _Compiled:
    """A statement as asyncpg takes it: the SQL, and the names of its ``$1, $2...``."""

    def __init__(self, statement: Select[Any], engine: AsyncEngine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        self.expands = any(b.expanding for b in compiled.binds.values())

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [parameters[name] for name in self.names]


class PostgresTaskReader(SqlTaskReader):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._pool = engine
        self._compiled: dict[object, _Compiled] = {}

    def _compile(self, key: object, statement: Select[Any]) -> _Compiled:
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(statement, self._pool)
        return found

    async def _on_driver(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run ``work`` on a pooled asyncpg connection (checked out, and pinged, as any)."""
        pooled = await self._pool.raw_connection()
        try:
            return await work(pooled.driver_connection)
        except Exception as error:
            # SQLAlchemy's own handling, which discards a dead connection, was skipped.
            if classify(error) is DatabaseFailure.LOST:
                await greenlet_spawn(pooled.invalidate, error)
            raise
        finally:
            await greenlet_spawn(pooled.close)

    async def get(self, task_id: int) -> TaskView | None:
        one = self._compile("one", _ONE_TASK)
        row = await self._on_driver(lambda driver: driver.fetchrow(one.sql, task_id))
        return None if row is None else task_view_from_columns(row, tuple(row[_TAGS]))

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        parameters = filter_parameters(task_filter)
        key = (frozenset(parameters), sort, page.after is not None)
        rows_of, count_of = _page_statements(*key)
        parameters["limit"] = page.limit + 1
        if page.after is None:
            parameters["offset"] = page.offset
        else:
            values = sort_values(sort, page.after)
            parameters.update((f"after_{i}", value) for i, value in enumerate(values))
        rows_sql = self._compile(("rows", key), rows_of)
        count_sql = None if count_of is None else self._compile(("count", key), count_of)
        if rows_sql.expands:
            async with self._engine.connect() as connection:
                total = None if count_of is None else await connection.scalar(count_of, parameters)
                rows: Any = (await connection.execute(rows_of, parameters)).all()
        else:

            async def fetch(driver: Any) -> tuple[int | None, Any]:
                total = None
                if count_sql is not None:
                    total = await driver.fetchval(count_sql.sql, *count_sql.arguments(parameters))
                return total, await driver.fetch(rows_sql.sql, *rows_sql.arguments(parameters))

            total, rows = await self._on_driver(fetch)
        items = [task_view_from_columns(row, tuple(row[_TAGS])) for row in rows[: page.limit]]
        return Page(items=items, limit=page.limit, total=total, more=len(rows) > page.limit)


@lru_cache(maxsize=512)
def _page_statements(
    names: frozenset[str], sort: TaskSort, seeking: bool
) -> tuple[Select[Any], Select[Any] | None]:
    """The page (and, in offset mode, the count) for one combination of filters and a sort,
    on parameters: ``limit``, then ``offset`` or ``after_0``, ``after_1``... (the position)."""
    ordered = page_statement(filter_conditions(names), sort, _COLUMNS_AND_TAGS)
    limit = bindparam("limit", type_=Integer)
    if seeking:
        columns = sort_columns(sort)
        after = [bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(columns)]
        return ordered.where(seek(columns, after, descending=sort.descending)).limit(limit), None
    counted = select(func.count()).select_from(ordered.order_by(None).subquery())
    return ordered.offset(bindparam("offset", type_=Integer)).limit(limit), counted
