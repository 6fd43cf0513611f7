from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from application.errors import ConcurrentUpdate, NotFound, PreconditionFailed
from application.ports import Clock, UnitOfWork
from application.tasks.views import TaskView
from domain.tasks import TaskChanges

MAX_ATTEMPTS: Final = 5


@dataclass(frozen=True)
class UpdateTask:
    task_id: int
    changes: TaskChanges
    expected_versions: frozenset[int] | None = None
    """The versions the caller accepts (``If-Match``); ``None`` for a blind write."""


class UpdateTaskHandler:
    """Partial update under optimistic locking.

    Rules are checked in the order clients rely on: a missing task is
    ``NotFound``, then broken rules raise ``DomainError``, then a version other
    than those in ``expected_versions`` is ``PreconditionFailed``. A blind write that
    loses a race is retried on fresh state; a conditional one is not, since
    the version it was conditioned on is gone.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: UpdateTask) -> TaskView:
        attempt = 1
        while True:
            try:
                return await self._attempt(command)
            except ConcurrentUpdate as lost_race:
                if command.expected_versions is not None:
                    raise PreconditionFailed("task", command.task_id) from lost_race
                if attempt == MAX_ATTEMPTS:
                    raise
                attempt += 1

    async def _attempt(self, command: UpdateTask) -> TaskView:
        async with self._uow() as uow:
            task = await uow.tasks.get(command.task_id, for_update=True)
            if task is None:
                raise NotFound("task", command.task_id)
            seen_version = task.version
            changed = task.change(command.changes, self._clock.now())
            expected = command.expected_versions
            if expected is not None and seen_version not in expected:
                raise PreconditionFailed("task", command.task_id, seen_version)
            if changed:
                await uow.tasks.save(task)
                await uow.commit()
        return TaskView.of(task)
