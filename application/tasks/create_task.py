from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from application.ports import Clock, UnitOfWork
from application.references import check_references
from application.tasks.views import TaskView
from domain.tasks import Task
from domain.values import Priority, Status


@dataclass(frozen=True)
class CreateTask:
    title: str
    description: str | None = None
    status: str = Status.TODO
    priority: str = Priority.MEDIUM
    due_date: date | None = None
    tags: tuple[str, ...] = field(default=())
    project_id: int | None = None
    assignee_id: int | None = None


class CreateTaskHandler:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: CreateTask) -> TaskView:
        async with self._uow() as uow:
            view = await self.within(uow, command)
            await uow.commit()
        return view

    async def within(self, uow: UnitOfWork, command: CreateTask) -> TaskView:
        """The work alone, in a unit of work the caller commits."""
        task = Task.create(
            title=command.title,
            description=command.description,
            status=command.status,
            priority=command.priority,
            due_date=command.due_date,
            tags=command.tags,
            project_id=command.project_id,
            assignee_id=command.assignee_id,
            now=self._clock.now(),
        )
        await check_references(uow, project_id=task.project_id, assignee_id=task.assignee_id)
        return TaskView.of(await uow.tasks.add(task))
