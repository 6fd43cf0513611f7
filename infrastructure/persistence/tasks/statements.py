"""Every statement that reads tasks, each defined once: a task, a page, a count, stats.

A task comes with its tags in the same row (``tag_names``: an array on
PostgreSQL, ``json_group_array`` on SQLite), so a task or a keyset page is
one statement. A page selects its rows first and their tags around them, so
that tags are computed for the rows returned only, never for those an offset
skips. Filters bind one parameter per value (a status list is ``in_status_0,
in_status_1``), so statements are built once per combination of filters, sort
and mode, and none has a list to expand.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from application.pagination import Position
from application.queries import SortKey, TaskFilter, TaskSort
from domain.values import Status
from infrastructure.persistence import scope
from infrastructure.persistence.keyset import order, paged
from infrastructure.persistence.reads import Query
from infrastructure.persistence.tasks.table import NO_DUE_DATE, tag, task, task_tag
from infrastructure.persistence.types import TagNames


class tag_names(FunctionElement[tuple[str, ...]]):  # noqa: N801 (an SQL function's name)
    """The names of the tags of the task whose id is the argument, alphabetical."""

    type = TagNames()
    inherit_cache = True


def _of_task(element: tag_names) -> ColumnElement[bool]:
    (task_id,) = element.clauses
    condition: ColumnElement[bool] = task_tag.c.task_id == task_id
    return condition


@compiles(tag_names, "postgresql")
def _array(element: tag_names, compiler: SQLCompiler, **kw: Any) -> str:
    # Each link's tag is looked up by its id: as a join, the planner may loop over every
    # tag of the workspace and probe the links once per tag (12,600 buffers against 360
    # for a page of 50, once the workspace is a row-level-security setting; RESULTS.md).
    name = select(tag.c.name).where(tag.c.id == task_tag.c.tag_id).scalar_subquery()
    names = select(name).where(_of_task(element)).order_by(name)
    return f"ARRAY({compiler.process(names, **kw)})"


@compiles(tag_names)
def _json_array(element: tag_names, compiler: SQLCompiler, **kw: Any) -> str:
    # Without ORDER BY in aggregates (SQLite < 3.44): ``TagNames`` sorts them.
    names = (
        select(func.json_group_array(tag.c.name))
        .join(task_tag, task_tag.c.tag_id == tag.c.id)
        .where(_of_task(element))
        .scalar_subquery()
    )
    return compiler.process(names, **kw)


class contains_text(FunctionElement[bool]):  # noqa: N801 (an SQL condition's name)
    """Tasks whose title or description is ILIKE the argument (a pattern escaped with backslashes).

    On PostgreSQL the match runs in ``task_search`` (migration 0006), which row-level
    security does not keep from the trigram indexes; it applies the workspace itself.
    """

    type = Boolean()
    inherit_cache = True


@compiles(contains_text, "postgresql")
def _searched(element: contains_text, compiler: SQLCompiler, **kw: Any) -> str:
    (pattern,) = element.clauses
    return compiler.process(task.c.id.in_(select(func.task_search(pattern))), **kw)


@compiles(contains_text)
def _matched(element: contains_text, compiler: SQLCompiler, **kw: Any) -> str:
    (pattern,) = element.clauses
    matched = or_(
        task.c.title.ilike(pattern, escape="\\"), task.c.description.ilike(pattern, escape="\\")
    )
    return compiler.process(matched.self_group(), **kw)


COLUMNS: Final = scope.data_columns(task)


def selected(source: FromClause) -> tuple[Any, ...]:
    """A task's columns in the table's order, then its tags (what ``table.view_of`` reads)."""
    return (*(source.c[c.name] for c in COLUMNS), tag_names(source.c.id))


BY_ID: Final = select(*selected(task)).where(scope.of(task), task.c.id == bindparam("task_id"))
"""One task with its tags; ``BY_ID.with_for_update(of=task)`` loads it for a change."""


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_parameters(task_filter: TaskFilter) -> dict[str, Any]:
    """The filter's values, by the names its conditions bind them to."""
    found: dict[str, Any] = {}
    found.update((f"in_status_{i}", s.value) for i, s in enumerate(sorted(task_filter.statuses)))
    found.update(
        (f"in_priority_{i}", rank)
        for i, rank in enumerate(sorted(p.rank for p in task_filter.priorities))
    )
    for name in ("project_id", "assignee_id", "tag", "due_before", "due_after"):
        if (value := getattr(task_filter, name)) is not None:
            found[name] = value
    if task_filter.q is not None:
        found["q"] = _like_pattern(task_filter.q)
    return found


@lru_cache(maxsize=256)
def filter_conditions(names: frozenset[str]) -> tuple[ColumnElement[bool], ...]:
    """The conditions on the parameters ``names`` (from ``filter_parameters``), ANDed, in the
    caller's workspace."""
    found: list[ColumnElement[bool]] = [scope.of(task)]
    for column, prefix in ((task.c.status, "in_status_"), (task.c.priority, "in_priority_")):
        if values := sorted(n for n in names if n.startswith(prefix)):
            found.append(column.in_([bindparam(n, type_=column.type) for n in values]))
    if "project_id" in names:
        found.append(task.c.project_id == bindparam("project_id"))
    if "assignee_id" in names:
        found.append(task.c.assignee_id == bindparam("assignee_id"))
    if "tag" in names:
        found.append(
            exists()
            .where(task_tag.c.task_id == task.c.id)
            .where(task_tag.c.tag_id == tag.c.id)
            .where(tag.c.name == bindparam("tag", type_=tag.c.name.type))
        )
    if "q" in names:
        found.append(contains_text(bindparam("q", type_=task.c.title.type)))
    if "due_before" in names:
        found.append(task.c.due_date <= bindparam("due_before", type_=task.c.due_date.type))
    if "due_after" in names:
        found.append(task.c.due_date >= bindparam("due_after", type_=task.c.due_date.type))
    return tuple(found)


# Tasks without a due date come last in both directions: the order is on
# (due_date IS NULL, due_date or a placeholder, id) ascending, and on
# (due_date IS NOT NULL, ..., id) descending, each served by its own index.
_NO_DUE_DATE: Final = date.fromisoformat(NO_DUE_DATE)


def sort_columns(sort: TaskSort, source: FromClause = task) -> list[Any]:
    """The columns of the order, all in the sort's direction, ending with ``id``."""
    if sort.key is SortKey.DUE_DATE:
        due = source.c.due_date
        has_date = due.is_not(None) if sort.descending else due.is_(None)
        return [has_date, source.c.due_sort, source.c.id]
    return [source.c[sort.key.value], source.c.id]


def sort_values(sort: TaskSort, position: Position) -> list[object]:
    """``position`` spelled in the columns of ``sort_columns``."""
    if sort.key is SortKey.DUE_DATE:
        due, task_id = position
        flag = (due is not None) if sort.descending else (due is None)
        return [flag, due or _NO_DUE_DATE, task_id]
    return list(position)


@lru_cache(maxsize=512)
def page(names: frozenset[str], sort: TaskSort, seeking: bool) -> tuple[Query, Query | None]:
    """A page of tasks with their tags for one combination of filters, sort and mode (and, in
    offset mode, the count of all matches), on the parameters of ``keyset.parameters_of``.

    A keyset page computes the tags of the rows it reads, all of which it returns; an
    offset page takes its window first and the tags around it, so that the rows the
    offset skips cost no tags.
    """
    where = filter_conditions(names)
    columns = sort_columns(sort)
    if seeking:
        rows, _ = paged(
            select(*selected(task)).where(*where), columns, descending=sort.descending, seeking=True
        )
        return Query(rows), None
    window, counted = paged(
        select(*COLUMNS, task.c.due_sort).where(*where),
        columns,
        descending=sort.descending,
        seeking=False,
    )
    inner = window.subquery("page")
    rows = select(*selected(inner)).order_by(
        *order(sort_columns(sort, inner), descending=sort.descending)
    )
    return Query(rows), Query(counted) if counted is not None else None


@lru_cache(maxsize=256)
def stats(names: frozenset[str]) -> Query:
    """Counts per (status, priority), and how many of each are overdue (before ``today``)."""
    overdue = and_(
        task.c.due_date < bindparam("today", type_=task.c.due_date.type),
        task.c.status != Status.DONE.value,
    )
    return Query(
        select(
            task.c.status,
            task.c.priority,
            func.count(),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .where(*filter_conditions(names))
        .group_by(task.c.status, task.c.priority)
    )


@lru_cache(maxsize=256)
def in_id_order(names: frozenset[str]) -> Query:
    """The next ``size`` tasks after id ``after``, with their tags (the export's batches)."""
    return Query(
        select(*selected(task))
        .where(*filter_conditions(names), task.c.id > bindparam("after"))
        .order_by(task.c.id)
        .limit(bindparam("size"))
    )


@lru_cache(maxsize=2)
def tags_in_use(seeking: bool) -> tuple[Query, Query | None]:
    """Tags that some task carries, by name, each with its number of tasks."""
    in_use = (
        select(tag.c.name, func.count().label("task_count"))
        .join(task_tag, task_tag.c.tag_id == tag.c.id)
        .where(scope.of(tag))
        .group_by(tag.c.id, tag.c.name)
    )
    rows, counted = paged(in_use, [tag.c.name], descending=False, seeking=seeking)
    return Query(rows), None if counted is None else Query(counted)
