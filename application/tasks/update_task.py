from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.references import check_references
from application.versioning import change_versioned
from application.views import TaskView
from domain.tasks import Task, TaskChanges
from domain.values import given


@dataclass(frozen=True)
class UpdateTask:
    task_id: int
    changes: TaskChanges
    expected_versions: frozenset[int] | None = None
    """The versions the caller accepts (``If-Match``); ``None`` for a blind write."""


class UpdateTaskHandler:
    """Partial update under optimistic locking (see ``change_versioned``)."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: UpdateTask) -> TaskView:
        changes = command.changes

        async def change(uow: UnitOfWork, task: Task) -> frozenset[str]:
            changed = task.change(changes, self._clock.now())
            await check_references(
                uow, project_id=given(changes.project_id), assignee_id=given(changes.assignee_id)
            )
            return changed

        task = await change_versioned(
            self._uow,
            lambda uow: uow.tasks,
            "task",
            command.task_id,
            change,
            command.expected_versions,
        )
        return TaskView.of(task)
