from __future__ import annotations

from dataclasses import dataclass, field

from application.pagination import Page, PageRequest
from application.ports import TaskReader
from application.tasks.queries import TaskFilter, TaskSort
from application.tasks.views import TaskView


@dataclass(frozen=True)
class ListTasks:
    filter: TaskFilter = field(default_factory=TaskFilter)
    sort: TaskSort = field(default_factory=TaskSort)
    page: PageRequest = field(default_factory=PageRequest)


class ListTasksHandler:
    def __init__(self, reader: TaskReader) -> None:
        self._reader = reader

    async def __call__(self, query: ListTasks) -> Page[TaskView]:
        return await self._reader.list(query.filter, query.sort, query.page)
