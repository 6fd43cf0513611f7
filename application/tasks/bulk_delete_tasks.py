from __future__ import annotations

from collections.abc import Callable

from application.ports import UnitOfWork


class BulkDeleteTasksHandler:
    """Delete the named tasks that exist; the others are ignored and not counted."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, task_ids: frozenset[int]) -> int:
        async with self._uow() as uow:
            deleted = await uow.tasks.delete_many(set(task_ids))
            await uow.commit()
        return deleted
