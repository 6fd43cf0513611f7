from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from application.pagination import Page, PageRequest
from application.ports import TaskReader
from application.queries import SortKey, TaskFilter, TaskSort
from application.views import TaskStats, TaskView
from domain.tasks import Task
from infrastructure.memory.paging import page_of
from infrastructure.memory.store import InMemoryStore


def _matches(task: Task, f: TaskFilter) -> bool:
    q = f.q.lower() if f.q else None
    return (
        (not f.statuses or task.status in f.statuses)
        and (not f.priorities or task.priority in f.priorities)
        and (f.project_id is None or task.project_id == f.project_id)
        and (f.assignee_id is None or task.assignee_id == f.assignee_id)
        and (f.tag is None or f.tag in task.tags)
        and (q is None or q in task.title.lower() or q in (task.description or "").lower())
        and (f.due_before is None or (task.due_date is not None and task.due_date <= f.due_before))
        and (f.due_after is None or (task.due_date is not None and task.due_date >= f.due_after))
    )


def _sort_value(task: Task, key: SortKey) -> Any:
    match key:
        case SortKey.PRIORITY:
            return task.priority.rank
        case SortKey.DUE_DATE:
            return task.due_date or date.min
        case _:
            return getattr(task, key.value)


class InMemoryTaskReader(TaskReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def get(self, task_id: int) -> TaskView | None:
        task = self._store.tasks.get(task_id)
        return None if task is None else TaskView.of(task)

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]:
        found = [t for t in self._store.tasks.values() if _matches(t, task_filter)]
        found.sort(key=lambda t: (_sort_value(t, sort.key), t.id), reverse=sort.descending)
        # Tasks without a due date come last in both directions.
        found.sort(key=lambda t: sort.key is SortKey.DUE_DATE and t.due_date is None)
        views = [TaskView.of(t) for t in found]
        return page_of(views, page, sort.position, sort.descending)

    async def stats(self, task_filter: TaskFilter, today: date) -> TaskStats:
        found = [t for t in self._store.tasks.values() if _matches(t, task_filter)]
        counts = Counter((t.status, t.priority) for t in found)
        return TaskStats.of(dict(counts), overdue=sum(t.is_overdue(today) for t in found))
