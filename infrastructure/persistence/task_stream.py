"""Every matching task, batch by batch, straight from SQL (the export's read side)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.tasks.export_tasks import TaskStream
from application.tasks.queries import TaskFilter
from application.tasks.views import TaskView
from infrastructure.persistence.mappers import task_view_from_columns
from infrastructure.persistence.models import metadata
from infrastructure.persistence.task_filters import conditions

task = metadata.tables["task"]
tag = metadata.tables["tag"]
task_tag = metadata.tables["task_tag"]


class SqlTaskStream(TaskStream):
    """Two statements a batch (tasks, then all their tags), each batch on its own connection.

    No connection is held while the caller handles a batch, which suits a
    transaction-mode pooler; the price is that batches are not one snapshot.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def batches(self, task_filter: TaskFilter, size: int) -> AsyncIterator[list[TaskView]]:
        where, parameters = conditions(task_filter)
        after = 0
        while True:
            statement = (
                select(*task.c).where(*where, task.c.id > after).order_by(task.c.id).limit(size)
            )
            async with self._engine.connect() as connection:
                rows = (await connection.execute(statement, parameters)).all()
                if not rows:
                    return
                found: defaultdict[int, list[str]] = defaultdict(list)
                links = await connection.execute(
                    select(task_tag.c.task_id, tag.c.name)
                    .join(tag, tag.c.id == task_tag.c.tag_id)
                    .where(task_tag.c.task_id.in_([row.id for row in rows]))
                    .order_by(task_tag.c.task_id, tag.c.name)
                )
                for task_id, name in links:
                    found[task_id].append(name)
            yield [task_view_from_columns(row, tuple(found[row.id])) for row in rows]
            if len(rows) < size:
                return
            after = rows[-1].id
