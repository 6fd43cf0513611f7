"""Creating a batch of tasks (``POST /tasks/bulk``, ``taskhex import`` and ``seed``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.tasks.create_task import CreateTask
from application.views import TaskView
from domain.errors import DomainError, Violation
from domain.tasks import Task


@dataclass(frozen=True)
class CreateTasks:
    items: Sequence[CreateTask]


class CreateTasksHandler:
    """All or nothing, in a fixed number of statements however many tasks there are.

    Every item is checked against the domain's rules and every user and project
    the batch names is looked up once; a ``DomainError`` names each bad item by
    its index (``("items", i)``), and then nothing is stored.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: CreateTasks) -> list[TaskView]:
        async with self._uow() as uow:
            views = await self.within(uow, command)
            await uow.commit()
        return views

    async def within(self, uow: UnitOfWork, command: CreateTasks) -> list[TaskView]:
        now = self._clock.now()
        tasks: dict[int, Task] = {}
        violations: list[Violation] = []
        for index, item in enumerate(command.items):
            try:
                tasks[index] = item.task(now)
            except DomainError as error:
                violations += [v.inside("items", index) for v in error.violations]
        violations += await _missing_references(uow, tasks)
        if violations:
            raise DomainError(sorted(violations, key=lambda v: v.within))
        return [TaskView.of(task) for task in await uow.tasks.add_many(list(tasks.values()))]


async def _missing_references(uow: UnitOfWork, tasks: dict[int, Task]) -> list[Violation]:
    """One query per kind of reference; every task naming a missing row is reported."""
    projects = {t.project_id for t in tasks.values() if t.project_id is not None}
    assignees = {t.assignee_id for t in tasks.values() if t.assignee_id is not None}
    missing_projects = await uow.projects.missing(projects) if projects else set()
    missing_users = await uow.users.missing(assignees) if assignees else set()
    return [
        Violation(field, f"{resource} does not exist", "reference_not_found", ("items", index))
        for index, task in tasks.items()
        for field, resource, missing in (
            ("project_id", "project", missing_projects),
            ("assignee_id", "user", missing_users),
        )
        if getattr(task, field) in missing
    ]
