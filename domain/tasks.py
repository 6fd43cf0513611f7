"""The Task aggregate: its state, its invariants and its transitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from domain import values
from domain.aggregates import apply_changes, check_all, check_changes, require_utc
from domain.errors import DomainError
from domain.values import UNSET, Priority, Status, Unset


@dataclass(frozen=True)
class TaskChanges:
    """A partial change: every field left ``UNSET`` stays as it is."""

    title: str | Unset = UNSET
    description: str | Unset | None = UNSET
    status: str | Unset = UNSET
    priority: str | Unset = UNSET
    due_date: date | Unset | None = UNSET
    tags: list[str] | tuple[str, ...] | Unset = UNSET
    project_id: int | Unset | None = UNSET
    assignee_id: int | Unset | None = UNSET


_RULES: Final[Mapping[str, Callable[[Any], Any]]] = {
    "title": values.title,
    "description": values.description,
    "status": values.status,
    "priority": values.priority,
    "tags": values.tags,
}


@dataclass
class Task:
    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: date | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    project_id: int | None = None
    assignee_id: int | None = None
    version: int = 1
    id: int | None = None

    @classmethod
    def create(
        cls,
        *,
        title: str,
        now: datetime,
        description: str | None = None,
        status: str = Status.TODO,
        priority: str = Priority.MEDIUM,
        due_date: date | None = None,
        tags: list[str] | tuple[str, ...] = (),
        project_id: int | None = None,
        assignee_id: int | None = None,
    ) -> Task:
        require_utc(now)
        checked: dict[str, Any]
        try:
            checked = {
                "title": values.title(title),
                "description": values.description(description),
                "status": values.status(status),
                "priority": values.priority(priority),
                "tags": values.tags(tags),
            }
        except DomainError:
            # Check them all again, to report every broken rule and not only the first.
            checked = check_all(
                {
                    "title": lambda: values.title(title),
                    "description": lambda: values.description(description),
                    "status": lambda: values.status(status),
                    "priority": lambda: values.priority(priority),
                    "tags": lambda: values.tags(tags),
                }
            )
        task = cls(
            **checked,
            due_date=due_date,
            project_id=project_id,
            assignee_id=assignee_id,
            created_at=now,
            updated_at=now,
        )
        if task.status is Status.DONE:
            task.completed_at = now
        return task

    def change(self, changes: TaskChanges, now: datetime) -> bool:
        """Apply ``changes``; return whether anything actually changed.

        A change that alters nothing keeps ``version`` and ``updated_at``; any
        real change bumps ``version`` by exactly one. ``completed_at`` follows
        the status: stamped when it becomes ``done``, cleared when it leaves it.
        """
        was_done = self.status is Status.DONE
        if not apply_changes(self, check_changes(changes, _RULES), now):
            return False
        if self.status is Status.DONE and not was_done:
            self.completed_at = self.updated_at
        elif self.status is not Status.DONE:
            self.completed_at = None
        return True

    def is_overdue(self, today: date) -> bool:
        return (
            self.status is not Status.DONE and self.due_date is not None and self.due_date < today
        )
