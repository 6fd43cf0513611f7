"""In-process fakes of the repository and unit of work, for unit tests."""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import Self

from application.errors import ConcurrentUpdate
from application.ports import TaskRepository, UnitOfWork
from domain.tasks import Task
from infrastructure.memory.store import InMemoryStore


class InMemoryTaskRepository(TaskRepository):
    """Stages every change; nothing reaches the store until the unit of work commits."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged: dict[int, Task | None] = {}
        self.new: set[int] = set()

    def _current(self, task_id: int) -> Task | None:
        if task_id in self.staged:
            return self.staged[task_id]
        return self._store.tasks.get(task_id)

    async def add(self, task: Task) -> Task:
        stored = dataclasses.replace(task, id=next(self._store.ids))
        assert stored.id is not None
        self.staged[stored.id] = stored
        self.new.add(stored.id)
        return dataclasses.replace(stored)

    async def get(self, task_id: int, *, for_update: bool = False) -> Task | None:
        found = self._current(task_id)
        return None if found is None else dataclasses.replace(found)

    async def save(self, task: Task) -> None:
        assert task.id is not None
        self.staged[task.id] = dataclasses.replace(task)

    async def delete(self, task_id: int) -> bool:
        if self._current(task_id) is None:
            return False
        self.staged[task_id] = None
        return True


class InMemoryUnitOfWork(UnitOfWork):
    tasks: InMemoryTaskRepository

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self.tasks = InMemoryTaskRepository(self._store)
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        """Publish the staged changes, refusing them all if any version went stale."""
        for task_id, task in self.tasks.staged.items():
            if task is None or task_id in self.tasks.new:
                continue
            stored = self._store.tasks.get(task_id)
            if stored is None or stored.version != task.version - 1:
                raise ConcurrentUpdate("task", task_id)
        for task_id, task in self.tasks.staged.items():
            if task is None:
                self._store.tasks.pop(task_id, None)
            else:
                self._store.tasks[task_id] = task
        self.tasks.staged.clear()
        self.committed = True

    async def rollback(self) -> None:
        self.tasks.staged.clear()
