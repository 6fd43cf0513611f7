"""The Task aggregate: its state, its invariants and its transitions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from domain import values
from domain.errors import DomainError, InvalidValue, Violation
from domain.values import UNSET, Priority, Status, Unset

T = TypeVar("T")


@dataclass(frozen=True)
class TaskChanges:
    """A partial change: every field left ``UNSET`` stays as it is."""

    title: str | Unset = UNSET
    description: str | Unset | None = UNSET
    status: str | Unset = UNSET
    priority: str | Unset = UNSET
    due_date: date | Unset | None = UNSET
    tags: list[str] | tuple[str, ...] | Unset = UNSET


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
    id: int | None = field(default=None)

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
    ) -> Task:
        _require_utc(now)
        checked = _validate(
            title=lambda: values.title(title),
            description=lambda: values.description(description),
            status=lambda: values.status(status),
            priority=lambda: values.priority(priority),
            tags=lambda: values.tags(tags),
        )
        task = cls(
            title=checked["title"],
            description=checked["description"],
            status=checked["status"],
            priority=checked["priority"],
            due_date=due_date,
            tags=checked["tags"],
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
        _require_utc(now)
        checks: dict[str, Callable[[], Any]] = {}
        if not isinstance(changes.title, Unset):
            checks["title"] = _bind(values.title, changes.title)
        if not isinstance(changes.description, Unset):
            checks["description"] = _bind(values.description, changes.description)
        if not isinstance(changes.status, Unset):
            checks["status"] = _bind(values.status, changes.status)
        if not isinstance(changes.priority, Unset):
            checks["priority"] = _bind(values.priority, changes.priority)
        if not isinstance(changes.tags, Unset):
            checks["tags"] = _bind(values.tags, changes.tags)
        new = _validate(**checks)
        if not isinstance(changes.due_date, Unset):
            new["due_date"] = changes.due_date

        changed = {name: v for name, v in new.items() if getattr(self, name) != v}
        if not changed:
            return False
        was_done = self.status is Status.DONE
        for name, value in changed.items():
            setattr(self, name, value)
        if self.status is Status.DONE and not was_done:
            self.completed_at = now
        elif self.status is not Status.DONE:
            self.completed_at = None
        self.updated_at = max(now, self.updated_at + timedelta(microseconds=1))
        self.version += 1
        return True

    def is_overdue(self, today: date) -> bool:
        return (
            self.status is not Status.DONE and self.due_date is not None and self.due_date < today
        )


def _bind(check: Callable[[T], Any], value: T) -> Callable[[], Any]:
    return lambda: check(value)


def _validate(**checks: Callable[[], Any]) -> dict[str, Any]:
    """Run every check and report all broken rules at once, not just the first."""
    results: dict[str, Any] = {}
    violations: list[Violation] = []
    for name, check in checks.items():
        try:
            results[name] = check()
        except DomainError as error:
            violations.extend(error.violations)
    if violations:
        raise DomainError(violations)
    return results


def _require_utc(now: datetime) -> None:
    if now.utcoffset() != timedelta(0):
        raise InvalidValue("now", "timestamps must be timezone-aware UTC", "timezone")
