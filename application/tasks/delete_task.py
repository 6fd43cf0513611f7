from __future__ import annotations

from collections.abc import Callable

from application.errors import NotFound
from application.ports import UnitOfWork


class DeleteTaskHandler:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, task_id: int) -> None:
        async with self._uow() as uow:
            if not await uow.tasks.delete(task_id):
                raise NotFound("task", task_id)
            await uow.commit()
