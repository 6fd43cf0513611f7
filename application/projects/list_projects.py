from __future__ import annotations

from application.pagination import NameSort, Page, PageRequest
from application.ports import ProjectReader
from application.projects.views import ProjectView


class ListProjectsHandler:
    def __init__(self, reader: ProjectReader) -> None:
        self._reader = reader

    async def __call__(self, sort: NameSort, page: PageRequest) -> Page[ProjectView]:
        return await self._reader.list(sort, page)
