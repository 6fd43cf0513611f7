from __future__ import annotations

from collections.abc import AsyncIterator

from application.queries import TaskFilter
from application.tasks.export_tasks import TaskStream
from application.views import TaskView
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.task_reader import _matches


class InMemoryTaskStream(TaskStream):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def batches(self, task_filter: TaskFilter, size: int) -> AsyncIterator[list[TaskView]]:
        after = 0
        while True:
            found = sorted(
                (t for t in self._store.tasks.values() if (t.id or 0) > after),
                key=lambda t: t.id or 0,
            )
            batch = [TaskView.of(t) for t in found if _matches(t, task_filter)][:size]
            if not batch:
                return
            yield batch
            after = batch[-1].id
