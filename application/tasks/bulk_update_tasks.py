from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from application.errors import NotFound
from application.ports import Clock, UnitOfWork
from application.references import check_references
from domain.errors import DomainError, InvalidValue, Violation
from domain.tasks import TaskChanges
from domain.values import Unset, given


@dataclass(frozen=True)
class BulkUpdateTasks:
    task_ids: frozenset[int]
    changes: TaskChanges
    """Only ``status``, ``priority``, ``assignee_id`` and ``project_id`` may be set."""


class BulkUpdateTasksHandler:
    """Apply the same change to many tasks: all or nothing.

    An unknown id is ``NotFound`` and nothing changes. Each task goes through
    the aggregate's rules (``completed_at`` follows the status) and gets a new
    version if it actually changed. Returns the number of distinct tasks named.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: BulkUpdateTasks) -> int:
        changes = command.changes
        named = {f.name for f in fields(changes) if not isinstance(getattr(changes, f.name), Unset)}
        if refused := sorted(named - set(_ALLOWED)):
            raise DomainError(
                [
                    Violation(
                        name, "cannot be changed in bulk", "not_bulk_changeable", ("changes",)
                    )
                    for name in refused
                ]
            )
        if not named:
            raise InvalidValue("changes", "name at least one field to change", "changes_empty")
        now = self._clock.now()
        async with self._uow() as uow:
            tasks = await uow.tasks.get_many(set(command.task_ids), for_update=True)
            missing = command.task_ids - {t.id for t in tasks}
            if missing:
                raise NotFound("task", ", ".join(str(i) for i in sorted(missing)))
            try:
                changed = [task for task in tasks if task.change(changes, now)]
                await check_references(
                    uow,
                    project_id=given(changes.project_id),
                    assignee_id=given(changes.assignee_id),
                )
            except DomainError as error:
                raise DomainError([v.inside("changes") for v in error.violations]) from None
            await uow.tasks.save_many(changed)
            await uow.commit()
        return len(command.task_ids)


_ALLOWED = ("status", "priority", "assignee_id", "project_id")
