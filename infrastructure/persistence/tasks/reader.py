"""Task queries answered straight from SQL (read models, no aggregates, no writes).

A task or a keyset page is one statement; an offset page two (its count, then
the page); stats one. See ``statements`` for what they are, ``reads`` for how
they run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

from application.pagination import Page, PageRequest
from application.ports import TagReader, TaskReader
from application.queries import TaskFilter, TaskSort
from application.tasks.export_tasks import TaskStream
from application.views import TagView, TaskStats, TaskView
from domain.values import Priority, Status
from infrastructure.persistence import keyset
from infrastructure.persistence.reads import Query, Reads, first
from infrastructure.persistence.tasks import statements
from infrastructure.persistence.tasks.table import view_of

_BY_ID = Query(statements.BY_ID)


class SqlTaskReader(TaskReader):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def get(self, task_id: int) -> TaskView | None:
        row = await first(self._reads, _BY_ID, {"task_id": task_id})
        return None if row is None else view_of(row)

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        parameters = statements.filter_parameters(task_filter)
        rows, count = statements.page(frozenset(parameters), sort, page.after is not None)
        after = None if page.after is None else statements.sort_values(sort, page.after)
        parameters.update(keyset.parameters_of(page, after))
        async with self._reads() as run:
            found, total, more = await keyset.read_page(run, rows, count, parameters, page)
        return Page([view_of(row) for row in found], page.limit, total, more=more)

    async def stats(self, task_filter: TaskFilter, today: date) -> TaskStats:
        parameters = statements.filter_parameters(task_filter)
        query = statements.stats(frozenset(parameters))
        async with self._reads() as run:
            rows = await run(query, {**parameters, "today": today})
        counts = {(Status(s), Priority.from_rank(p)): n for s, p, n, _ in rows}
        return TaskStats.of(counts, overdue=sum(int(o) for *_, o in rows))


class SqlTaskStream(TaskStream):
    """One statement a batch, each on a connection of its own.

    No connection is held while the caller handles a batch, which suits a
    transaction-mode pooler; the price is that batches are not one snapshot.
    """

    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def batches(self, task_filter: TaskFilter, size: int) -> AsyncIterator[list[TaskView]]:
        parameters = statements.filter_parameters(task_filter)
        query = statements.in_id_order(frozenset(parameters))
        after = 0
        while True:
            async with self._reads() as run:
                rows = await run(query, {**parameters, "after": after, "size": size})
            if not rows:
                return
            yield [view_of(row) for row in rows]
            if len(rows) < size:
                return
            after = rows[-1][0]


class SqlTagReader(TagReader):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def list(self, page: PageRequest) -> Page[TagView]:
        rows, count = statements.tags_in_use(page.after is not None)
        parameters = keyset.parameters_of(page, page.after)
        async with self._reads() as run:
            found, total, more = await keyset.read_page(run, rows, count, parameters, page)
        return Page([TagView(name, n) for name, n in found], page.limit, total, more=more)
