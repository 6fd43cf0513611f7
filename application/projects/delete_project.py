from __future__ import annotations

from collections.abc import Callable

from application.errors import NotFound
from application.ports import UnitOfWork


class DeleteProjectHandler:
    """The project's tasks go with it, in the same transaction."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, project_id: int) -> None:
        async with self._uow() as uow:
            await uow.tasks.delete_all_in(project_id)
            if not await uow.projects.delete(project_id):
                raise NotFound("project", project_id)
            await uow.commit()
