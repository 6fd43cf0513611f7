from __future__ import annotations

from application.errors import NotFound
from application.ports import TaskReader
from application.views import TaskView


class GetTaskHandler:
    def __init__(self, reader: TaskReader) -> None:
        self._reader = reader

    async def __call__(self, task_id: int) -> TaskView:
        view = await self._reader.get(task_id)
        if view is None:
            raise NotFound("task", task_id)
        return view
