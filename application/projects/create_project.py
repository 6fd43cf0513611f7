from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.references import check_references
from application.views import ProjectView
from domain.projects import Project


@dataclass(frozen=True)
class CreateProject:
    name: str
    description: str | None = None
    owner_id: int | None = None


class CreateProjectHandler:
    """A name already used by the same owner is a ``Conflict``, decided by a unique index."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: CreateProject) -> ProjectView:
        project = Project.create(
            name=command.name,
            description=command.description,
            owner_id=command.owner_id,
            now=self._clock.now(),
        )
        async with self._uow() as uow:
            await check_references(uow, owner_id=project.owner_id)
            project = await uow.projects.add(project)
            await uow.commit()
        return ProjectView.of(project)
