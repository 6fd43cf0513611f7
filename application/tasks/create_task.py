from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from application.ports import Clock, UnitOfWork
from application.views import TaskView
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

    @classmethod
    def of(cls, given: object) -> CreateTask:
        """The command for anything with these fields (a request body, an import line)."""
        fields = {name: getattr(given, name) for name in _FIELDS}
        return cls(**{**fields, "tags": tuple(fields["tags"])})

    def task(self, now: datetime) -> Task:
        """The new task this command asks for; ``DomainError`` if it breaks a rule."""
        return Task.create(
            title=self.title,
            description=self.description,
            status=self.status,
            priority=self.priority,
            due_date=self.due_date,
            tags=self.tags,
            project_id=self.project_id,
            assignee_id=self.assignee_id,
            now=now,
        )


_FIELDS: Final = tuple(f.name for f in dataclasses.fields(CreateTask))


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
        """The work alone, in a unit of work the caller commits.

        Adding the task checks its project and assignee (``InvalidReference``).
        """
        return TaskView.of(await uow.tasks.add(command.task(self._clock.now())))
