from __future__ import annotations

from application.errors import NotFound
from application.ports import ProjectReader
from application.views import ProjectView


class GetProjectHandler:
    def __init__(self, reader: ProjectReader) -> None:
        self._reader = reader

    async def __call__(self, project_id: int) -> ProjectView:
        view = await self._reader.get(project_id)
        if view is None:
            raise NotFound("project", project_id)
        return view
