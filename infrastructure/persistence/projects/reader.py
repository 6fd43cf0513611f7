"""Projects with their task counts per status, counted in one grouped query per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select

from application.pagination import NameSort, Page, PageRequest
from application.ports import ProjectReader
from application.views import ProjectView
from domain.values import Status
from infrastructure.persistence import keyset, scope
from infrastructure.persistence.projects.table import project
from infrastructure.persistence.reads import Query, Reads, Run
from infrastructure.persistence.tasks.table import task

_BY_ID = Query(
    select(*scope.data_columns(project)).where(scope.of(project), project.c.id == bindparam("id"))
)
_COUNTS = Query(
    select(task.c.project_id, task.c.status, func.count())
    .where(scope.of(task), task.c.project_id.in_(bindparam("ids", expanding=True)))
    .group_by(task.c.project_id, task.c.status)
)


class SqlProjectReader(ProjectReader):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def get(self, project_id: int) -> ProjectView | None:
        async with self._reads() as run:
            found = await run(_BY_ID, {"id": project_id})
            if not found:
                return None
            counts = await _task_counts(run, [project_id])
        return _view(found[0], counts[project_id])

    async def list(self, sort: NameSort, page: PageRequest) -> Page[ProjectView]:
        async with self._reads() as run:
            rows, total, more = await keyset.read_named_page(run, project, sort, page)
            counts = await _task_counts(run, [r.id for r in rows])
        return Page([_view(r, counts[r.id]) for r in rows], page.limit, total, more=more)


def _view(row: Any, counts: dict[Status, int]) -> ProjectView:
    return ProjectView(**row._mapping, task_counts=dict.fromkeys(Status, 0) | counts)


async def _task_counts(run: Run, project_ids: Sequence[int]) -> defaultdict[int, dict[Status, int]]:
    counts: defaultdict[int, dict[Status, int]] = defaultdict(dict)
    if project_ids:
        for project_id, status, n in await run(_COUNTS, {"ids": list(project_ids)}):
            counts[project_id][Status(status)] = n
    return counts
