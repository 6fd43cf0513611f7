from __future__ import annotations

from dataclasses import dataclass, field

from application.pagination import Page, PageQuery, paginate
from application.ports import CursorCodec, TaskReader
from application.queries import TaskFilter, TaskSort
from application.views import TaskView


@dataclass(frozen=True)
class ListTasks:
    filter: TaskFilter = field(default_factory=TaskFilter)
    sort: TaskSort = field(default_factory=TaskSort)
    page: PageQuery = field(default_factory=PageQuery)


class ListTasksHandler:
    def __init__(self, reader: TaskReader, cursors: CursorCodec) -> None:
        self._reader = reader
        self._cursors = cursors

    async def __call__(self, query: ListTasks) -> Page[TaskView]:
        scope = f"tasks|{query.sort}|{query.filter.scope()}"
        return await paginate(
            query.page,
            scope,
            self._cursors,
            lambda request: self._reader.list(query.filter, query.sort, request),
            query.sort.position,
        )
