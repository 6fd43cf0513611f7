"""The ports: what the application needs from the outside world.

Driven adapters implement these protocols (and subclass them explicitly so that
mypy checks each adapter where it is defined).
"""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from application.pagination import Page, PageRequest
from application.tasks.queries import TaskFilter, TaskSort
from application.tasks.views import TaskStats, TaskView
from domain.tasks import Task


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class TaskRepository(Protocol):
    """Tasks as aggregates, for commands. Never commits: the unit of work does."""

    async def add(self, task: Task) -> Task:
        """Stage a new task and return it with the id the store assigned."""
        ...

    async def get(self, task_id: int, *, for_update: bool = False) -> Task | None:
        """Load a task; ``for_update`` asks the store to hold writers off it."""
        ...

    async def save(self, task: Task) -> None:
        """Stage the changes of a task loaded through this repository.

        Raises ``ConcurrentUpdate`` (here or at commit) when the stored version
        is no longer the one the task was loaded at.
        """
        ...

    async def delete(self, task_id: int) -> bool:
        """Stage the removal of a task; ``False`` when there was none."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit`` rolls it back."""

    tasks: TaskRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class TaskReader(Protocol):
    """Read models straight from the store, for queries (no aggregates, no writes)."""

    async def get(self, task_id: int) -> TaskView | None: ...

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]: ...

    async def stats(self, task_filter: TaskFilter, today: date) -> TaskStats: ...
