from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, ProjectReader, UnitOfWork
from application.projects.get_project import GetProjectHandler
from application.references import check_references
from application.versioning import change_versioned
from application.views import ProjectView
from domain.projects import Project, ProjectChanges
from domain.values import given


@dataclass(frozen=True)
class UpdateProject:
    project_id: int
    changes: ProjectChanges
    expected_versions: frozenset[int] | None = None


class UpdateProjectHandler:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, reader: ProjectReader) -> None:
        self._uow = uow
        self._clock = clock
        self._reader = reader

    async def __call__(self, command: UpdateProject) -> ProjectView:
        owner_id = command.changes.owner_id

        async def change(uow: UnitOfWork, project: Project) -> frozenset[str]:
            changed = project.change(command.changes, self._clock.now())
            await check_references(uow, owner_id=given(owner_id))
            return changed

        await change_versioned(
            self._uow,
            lambda uow: uow.projects,
            "project",
            command.project_id,
            change,
            command.expected_versions,
        )
        return await GetProjectHandler(self._reader)(command.project_id)
