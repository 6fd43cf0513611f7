"""Task queries answered straight from SQL: selected columns, no aggregates.

Every query costs a fixed number of statements whatever the page size. On
PostgreSQL (``PostgresTaskReader``) a task or a page is one statement, its
tags an array beside each row, sent on an autocommit connection: no
``BEGIN``/``ROLLBACK`` round trips for a read. Elsewhere (``SqlTaskReader``)
it is the page, then the tags of all its tasks in one statement. Offset mode
adds the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from application.pagination import Page, PageRequest, Position
from application.ports import TaskReader
from application.tasks.queries import SortKey, TaskFilter, TaskSort
from application.tasks.views import TaskStats, TaskView
from domain.values import Priority, Status
from infrastructure.persistence.failures import DatabaseFailure, classify
from infrastructure.persistence.keyset import fetch_page, seek
from infrastructure.persistence.mappers import task_view_from_columns
from infrastructure.persistence.models import metadata
from infrastructure.persistence.task_filters import conditions, filter_conditions, filter_parameters

task = metadata.tables["task"]
tag = metadata.tables["tag"]
task_tag = metadata.tables["task_tag"]

_COLUMNS = tuple(
    task.c[name]
    for name in (
        "id", "title", "description", "status", "priority", "due_date", "project_id",
        "assignee_id", "created_at", "updated_at", "completed_at", "version",
    )
)  # fmt: skip

# Built once: a statement object made per call would be rebuilt and have its
# cache key computed again on every request; these are looked up in
# SQLAlchemy's compiled cache by a key computed once.
_ONE_TASK = select(*_COLUMNS).where(task.c.id == bindparam("task_id"))
_TAGS_OF = (
    select(task_tag.c.task_id, tag.c.name)
    .join(tag, tag.c.id == task_tag.c.tag_id)
    .where(task_tag.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(task_tag.c.task_id, tag.c.name)
)

_SORT_COLUMNS = {
    SortKey.CREATED_AT: task.c.created_at,
    SortKey.UPDATED_AT: task.c.updated_at,
    SortKey.PRIORITY: task.c.priority,
    SortKey.TITLE: task.c.title,
}


# Tasks without a due date come last in both directions: the order is on
# (due_date IS NULL, due_date or a placeholder, id) ascending, and on
# (due_date IS NOT NULL, ..., id) descending, each served by its own index.
_NO_DUE_DATE = date(2000, 1, 1)
_DUE_DATE_KEY = func.coalesce(task.c.due_date, literal_column("'2000-01-01'"))


def sort_columns(sort: TaskSort) -> list[Any]:
    """The columns of the order, all in the sort's direction, ending with ``id``."""
    if sort.key is SortKey.DUE_DATE:
        has_date = task.c.due_date.is_not(None) if sort.descending else task.c.due_date.is_(None)
        return [has_date, _DUE_DATE_KEY, task.c.id]
    return [_SORT_COLUMNS[sort.key], task.c.id]


def sort_values(sort: TaskSort, position: Position) -> list[object]:
    """``position`` spelled in the columns of ``sort_columns``."""
    if sort.key is SortKey.DUE_DATE:
        due, task_id = position
        flag = (due is not None) if sort.descending else (due is None)
        return [flag, due or _NO_DUE_DATE, task_id]
    return list(position)


def order_by(sort: TaskSort) -> list[Any]:
    return [c.desc() if sort.descending else c.asc() for c in sort_columns(sort)]


def page_statement(
    where: Sequence[ColumnElement[bool]], sort: TaskSort, columns: Sequence[Any] = _COLUMNS
) -> Select[Any]:
    return select(*columns).where(*where).order_by(*order_by(sort))


def seek_past(sort: TaskSort, after: Position | None) -> ColumnElement[bool] | None:
    if after is None:
        return None
    return seek(sort_columns(sort), sort_values(sort, after), descending=sort.descending)


def create_task_reader(engine: AsyncEngine, *, pooled: bool) -> SqlTaskReader:
    """The reader for ``engine``: PostgreSQL's own on asyncpg, unless a
    transaction-mode pooler is in front (there a statement must run inside a
    transaction)."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg" and not pooled:
        return PostgresTaskReader(engine)
    return SqlTaskReader(engine)


class SqlTaskReader(TaskReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, task_id: int) -> TaskView | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_ONE_TASK, {"task_id": task_id})).first()
            if row is None:
                return None
            tags = await _tags_of(connection, [task_id])
        return task_view_from_columns(row, tags[task_id])

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        where, parameters = conditions(task_filter)
        async with self._engine.connect() as connection:
            rows, total, more = await fetch_page(
                connection,
                page_statement(where, sort),
                page,
                seek_past(sort, page.after),
                parameters,
            )
            tags = await _tags_of(connection, [row.id for row in rows])
        items = [task_view_from_columns(row, tags[row.id]) for row in rows]
        return Page(items=items, limit=page.limit, total=total, more=more)

    async def stats(self, task_filter: TaskFilter, today: date) -> TaskStats:
        overdue = and_(task.c.due_date < today, task.c.status != Status.DONE.value)
        where, parameters = conditions(task_filter)
        statement = (
            select(
                task.c.status,
                task.c.priority,
                func.count(),
                func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
            )
            .where(*where)
            .group_by(task.c.status, task.c.priority)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement, parameters)).all()
        counts = {(Status(s), Priority.from_rank(p)): n for s, p, n, _ in rows}
        return TaskStats.of(counts, overdue=sum(int(o) for *_, o in rows))


async def _tags_of(
    connection: AsyncConnection, task_ids: Sequence[int]
) -> defaultdict[int, tuple[str, ...]]:
    """Tag names of every task in ``task_ids``, alphabetical, in one statement."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    if task_ids:
        rows = await connection.execute(_TAGS_OF, {"task_ids": list(task_ids)})
        for task_id, name in rows:
            found[task_id].append(name)
    return defaultdict(tuple, {task_id: tuple(names) for task_id, names in found.items()})


# PostgreSQL: the tag names of the row's task, alphabetical, as an array column.
_TAG_NAMES = func.array(
    select(tag.c.name)
    .join(task_tag, task_tag.c.tag_id == tag.c.id)
    .where(task_tag.c.task_id == task.c.id)
    .order_by(tag.c.name)
    .scalar_subquery(),
    type_=ARRAY(String),
).label("tags")
_COLUMNS_AND_TAGS = (*_COLUMNS, _TAG_NAMES)
_ONE_TASK_AND_TAGS = select(*_COLUMNS_AND_TAGS).where(task.c.id == bindparam("task_id"))


class PostgresTaskReader(SqlTaskReader):
    """One statement a task or a page, on connections in autocommit mode.

    A read needs no transaction: each statement sees one snapshot, and the
    tags come in the same statement as their task. (Behind a transaction-mode
    pooler every statement must be inside a transaction; ``SqlTaskReader``
    serves there.)

    The hottest read, one task by id, goes to asyncpg itself on a pooled
    connection: its statement is compiled once, and SQLAlchemy's execution
    layer, which would cost more than the statement, is skipped.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._pool = engine
        self._one_task = str(_ONE_TASK_AND_TAGS.compile(dialect=engine.dialect))

    async def get(self, task_id: int) -> TaskView | None:
        # The pool's connection as it is (checked out, and pinged, as any other).
        pooled = await self._pool.raw_connection()
        driver: Any = pooled.driver_connection
        try:
            row = await driver.fetchrow(self._one_task, task_id)
        except Exception as error:
            # SQLAlchemy's own handling, which discards a dead connection, was skipped.
            if classify(error) is DatabaseFailure.LOST:
                await greenlet_spawn(pooled.invalidate, error)
            raise
        finally:
            await greenlet_spawn(pooled.close)
        return None if row is None else task_view_from_columns(row, tuple(row[12]))

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        parameters = filter_parameters(task_filter)
        rows_of, count_of = _page_statements(frozenset(parameters), sort, page.after is not None)
        parameters["limit"] = page.limit + 1
        if page.after is None:
            parameters["offset"] = page.offset
        else:
            values = sort_values(sort, page.after)
            parameters.update((f"after_{i}", value) for i, value in enumerate(values))
        async with self._engine.connect() as connection:
            total = None if count_of is None else (await connection.scalar(count_of, parameters))
            rows = (await connection.execute(rows_of, parameters)).all()
        items = [task_view_from_columns(row, tuple(row[12])) for row in rows[: page.limit]]
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
