"""Adding tasks in batches (``taskhex import`` and ``taskhex seed``).

A batch is all or nothing: every task is checked against the domain's rules,
then every user and project the batch names (each distinct id once), before
one unit of work adds them all in a fixed number of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from application.errors import InvalidReference
from application.ports import Clock, UnitOfWork
from application.references import check_references
from application.tasks.create_task import CreateTask
from application.views import TaskView
from domain.errors import DomainError
from domain.tasks import Task


@dataclass(frozen=True)
class ImportTasks:
    tasks: Sequence[CreateTask]


class InvalidTaskInBatch(DomainError):
    """The task at ``index`` of a batch breaks a rule; nothing of the batch was stored."""

    def __init__(self, index: int, error: DomainError) -> None:
        self.index = index
        super().__init__(error.violations)

    def __str__(self) -> str:
        return f"task {self.index}: {super().__str__()}"


class ImportTasksHandler:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: ImportTasks) -> list[TaskView]:
        """Store every task of the batch, or none; return them in order with their ids."""
        if not command.tasks:
            return []
        now = self._clock.now()
        tasks = [_create(index, item, now) for index, item in enumerate(command.tasks)]
        async with self._uow() as uow:
            await _check_references(uow, tasks)
            stored = await uow.tasks.add_many(tasks)
            await uow.commit()
        return [TaskView.of(task) for task in stored]


def _create(index: int, item: CreateTask, now: datetime) -> Task:
    try:
        return item.task(now)
    except DomainError as error:
        raise InvalidTaskInBatch(index, error) from None


async def _check_references(uow: UnitOfWork, tasks: list[Task]) -> None:
    """Each distinct project and assignee once; a missing one is blamed on its first task."""
    for field in ("project_id", "assignee_id"):
        first_use: dict[int, int] = {}
        for index, task in enumerate(tasks):
            identifier = getattr(task, field)
            if identifier is not None:
                first_use.setdefault(identifier, index)
        for identifier, index in first_use.items():
            try:
                await check_references(uow, **{field: identifier})
            except InvalidReference as error:
                raise InvalidTaskInBatch(index, error) from None
