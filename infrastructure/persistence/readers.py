"""Users, projects and tags read straight from SQL, a fixed number of statements per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.pagination import NameSort, NameSortKey, Page, PageRequest
from application.ports import ProjectReader, TagReader, UserReader
from application.projects.views import ProjectView
from application.tags.views import TagView
from application.users.views import UserView
from domain.values import Status
from infrastructure.persistence.keyset import fetch_page, seek
from infrastructure.persistence.models import metadata

user = metadata.tables["app_user"]
project = metadata.tables["project"]
task = metadata.tables["task"]
tag = metadata.tables["tag"]
task_tag = metadata.tables["task_tag"]


def _ordered(statement: Select[Any], table: Table, sort: NameSort) -> Select[Any]:
    column = _sort_column(table, sort)
    if sort.descending:
        return statement.order_by(column.desc(), table.c.id.desc())
    return statement.order_by(column.asc(), table.c.id.asc())


def _sort_column(table: Table, sort: NameSort) -> Any:
    return table.c.name if sort.key is NameSortKey.NAME else table.c.created_at


def _seek(table: Table, sort: NameSort, page: PageRequest) -> ColumnElement[bool] | None:
    if page.after is None:
        return None
    return seek([_sort_column(table, sort), table.c.id], page.after, descending=sort.descending)


def _user_view(row: Any) -> UserView:
    return UserView(row.id, row.email, row.name, row.created_at, row.updated_at, row.version)


class SqlUserReader(UserReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, user_id: int) -> UserView | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(user).where(user.c.id == user_id))).first()
        return None if row is None else _user_view(row)

    async def list(self, sort: NameSort, page: PageRequest) -> Page[UserView]:
        async with self._engine.connect() as connection:
            rows, total, more = await fetch_page(
                connection, _ordered(select(user), user, sort), page, _seek(user, sort, page)
            )
        return Page([_user_view(r) for r in rows], page.limit, total, more=more)


class SqlProjectReader(ProjectReader):
    """Task counts come from one grouped query over the page's projects (an index seek each)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, project_id: int) -> ProjectView | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(project).where(project.c.id == project_id))
            ).first()
            if row is None:
                return None
            counts = await _task_counts(connection, [project_id])
        return _project_view(row, counts[project_id])

    async def list(self, sort: NameSort, page: PageRequest) -> Page[ProjectView]:
        async with self._engine.connect() as connection:
            rows, total, more = await fetch_page(
                connection,
                _ordered(select(project), project, sort),
                page,
                _seek(project, sort, page),
            )
            counts = await _task_counts(connection, [r.id for r in rows])
        items = [_project_view(r, counts[r.id]) for r in rows]
        return Page(items, page.limit, total, more=more)


def _project_view(row: Any, counts: dict[Status, int]) -> ProjectView:
    return ProjectView(
        row.id,
        row.name,
        row.description,
        row.owner_id,
        row.created_at,
        row.updated_at,
        row.version,
        dict.fromkeys(Status, 0) | counts,
    )


async def _task_counts(
    connection: AsyncConnection, project_ids: Sequence[int]
) -> defaultdict[int, dict[Status, int]]:
    counts: defaultdict[int, dict[Status, int]] = defaultdict(dict)
    if project_ids:
        rows = await connection.execute(
            select(task.c.project_id, task.c.status, func.count())
            .where(task.c.project_id.in_(project_ids))
            .group_by(task.c.project_id, task.c.status)
        )
        for project_id, status, n in rows:
            counts[project_id][Status(status)] = n
    return counts


class SqlTagReader(TagReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list(self, page: PageRequest) -> Page[TagView]:
        in_use = (
            select(tag.c.name, func.count().label("task_count"))
            .join(task_tag, task_tag.c.tag_id == tag.c.id)
            .group_by(tag.c.id, tag.c.name)
        )
        after = None if page.after is None else seek([tag.c.name], page.after, descending=False)
        async with self._engine.connect() as connection:
            rows, total, more = await fetch_page(
                connection, in_use.order_by(tag.c.name), page, after
            )
        return Page([TagView(r.name, r.task_count) for r in rows], page.limit, total, more=more)
