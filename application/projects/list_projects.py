from __future__ import annotations

from application.pagination import NameSort, Page, PageQuery, paginate
from application.ports import CursorCodec, ProjectReader
from application.views import ProjectView


class ListProjectsHandler:
    def __init__(self, reader: ProjectReader, cursors: CursorCodec) -> None:
        self._reader = reader
        self._cursors = cursors

    async def __call__(self, sort: NameSort, page: PageQuery) -> Page[ProjectView]:
        return await paginate(
            page,
            f"projects|{sort}",
            self._cursors,
            lambda request: self._reader.list(sort, request),
            sort.position,
        )
