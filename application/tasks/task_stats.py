from __future__ import annotations

from application.ports import Clock, TaskReader
from application.queries import TaskFilter
from application.views import TaskStats


class TaskStatsHandler:
    """Counts by status and priority; ``overdue`` is judged against today in UTC."""

    def __init__(self, reader: TaskReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def __call__(self, task_filter: TaskFilter) -> TaskStats:
        return await self._reader.stats(task_filter, today=self._clock.now().date())
