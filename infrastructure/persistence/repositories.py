"""SQL repositories: aggregates in and out of one session. They never commit."""

from __future__ import annotations

import dataclasses

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from application.errors import ConcurrentUpdate
from application.ports import TaskRepository
from domain.tasks import Task
from infrastructure.persistence.mappers import copy_task_to_row, row_from_task, task_from_row
from infrastructure.persistence.models import TagRow, TaskRow


class SqlTaskRepository(TaskRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loaded: dict[int, TaskRow] = {}

    async def add(self, task: Task) -> Task:
        row = row_from_task(task)
        row.tags = await self._tag_rows(task.tags)
        self._session.add(row)
        await self._session.flush()
        assert row.id is not None
        self._loaded[row.id] = row
        return dataclasses.replace(task, id=row.id)

    async def get(self, task_id: int, *, for_update: bool = False) -> Task | None:
        statement = (
            select(TaskRow).where(TaskRow.id == task_id).options(selectinload(TaskRow.tags))  # type: ignore[arg-type]
        )
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).scalar_one_or_none()
        if row is None:
            return None
        self._loaded[task_id] = row
        return task_from_row(row)

    async def save(self, task: Task) -> None:
        assert task.id is not None, "save() is for tasks loaded through get()"
        row = self._loaded[task.id]
        if row.version != task.version - 1:
            raise ConcurrentUpdate("task", task.id)
        copy_task_to_row(task, row)
        if tuple(tag.name for tag in row.tags) != task.tags:
            row.tags = await self._tag_rows(task.tags)
        try:
            await self._session.flush()
        except StaleDataError as error:
            raise ConcurrentUpdate("task", task.id) from error

    async def delete(self, task_id: int) -> bool:
        result = await self._session.execute(delete(TaskRow).where(TaskRow.id == task_id))  # type: ignore[arg-type]
        self._loaded.pop(task_id, None)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _tag_rows(self, names: tuple[str, ...]) -> list[TagRow]:
        """The tag rows for ``names``, creating the missing ones (two statements)."""
        if not names:
            return []
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self._session.execute(
            insert(TagRow).values([{"name": n} for n in names]).on_conflict_do_nothing()
        )
        found = await self._session.scalars(
            select(TagRow).where(TagRow.name.in_(names)).order_by(TagRow.name)  # type: ignore[attr-defined]
        )
        return list(found)
