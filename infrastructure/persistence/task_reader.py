"""Task queries answered straight from SQL: selected columns, no aggregates.

Every query costs a fixed number of statements whatever the page size: the
page, then the tags of all its tasks in one statement; offset mode adds the
total. PostgreSQL on asyncpg has a reader of its own (``postgres_task_reader``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.pagination import Page, PageRequest, Position
from application.ports import TaskReader
from application.tasks.queries import SortKey, TaskFilter, TaskSort
from application.tasks.views import TaskStats, TaskView
from domain.values import Priority, Status
from infrastructure.persistence.keyset import fetch_page, seek
from infrastructure.persistence.mappers import task_view_from_columns
from infrastructure.persistence.models import metadata
from infrastructure.persistence.task_filters import conditions

task = metadata.tables["task"]
tag = metadata.tables["tag"]
task_tag = metadata.tables["task_tag"]

COLUMNS = tuple(
    task.c[name]
    for name in (
        "id", "title", "description", "status", "priority", "due_date", "project_id",
        "assignee_id", "created_at", "updated_at", "completed_at", "version",
    )
)  # fmt: skip

# Built once: a statement object made per call would be rebuilt and have its
# cache key computed again on every request; these are looked up in
# SQLAlchemy's compiled cache by a key computed once.
_ONE_TASK = select(*COLUMNS).where(task.c.id == bindparam("task_id"))
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
    where: Sequence[ColumnElement[bool]], sort: TaskSort, columns: Sequence[Any] = COLUMNS
) -> Select[Any]:
    return select(*columns).where(*where).order_by(*order_by(sort))


def seek_past(sort: TaskSort, after: Position | None) -> ColumnElement[bool] | None:
    if after is None:
        return None
    return seek(sort_columns(sort), sort_values(sort, after), descending=sort.descending)


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
