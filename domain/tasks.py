"""The Task aggregate: its state, its invariants and its transitions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from domain import values
from domain.aggregates import Versioned, check_all, check_changes, require_utc
from domain.values import UNSET, Priority, Status, Tags, Unset


@dataclass(frozen=True)
class TaskChanges:
    """A partial change: every field left ``UNSET`` stays as it is."""

    title: str | Unset = UNSET
    description: str | Unset | None = UNSET
    status: str | Unset = UNSET
    priority: str | Unset = UNSET
    due_date: date | Unset | None = UNSET
    tags: Iterable[str] | Unset = UNSET
    project_id: int | Unset | None = UNSET
    assignee_id: int | Unset | None = UNSET


_RULES: Final[Mapping[str, Callable[[Any], Any]]] = {
    "title": values.title,
    "description": values.description,
    "status": values.status,
    "priority": values.priority,
    "tags": Tags,
}


@dataclass(kw_only=True)
class Task(Versioned):
    """``completed_at`` follows the status: stamped when it becomes ``done``, cleared
    when it leaves it, kept while it stays."""

    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: date | None
    tags: Tags
    completed_at: datetime | None = None
    project_id: int | None = None
    assignee_id: int | None = None

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
        tags: Iterable[str] = (),
        project_id: int | None = None,
        assignee_id: int | None = None,
    ) -> Task:
        """A new task at version 1; ``DomainError`` names every broken rule."""
        require_utc(now)
        checked = check_all(
            {
                "title": (values.title, title),
                "description": (values.description, description),
                "status": (values.status, status),
                "priority": (values.priority, priority),
                "tags": (Tags, tags),
            }
        )
        done = checked["status"] is Status.DONE
        return cls(
            **checked,
            due_date=due_date,
            project_id=project_id,
            assignee_id=assignee_id,
            created_at=now,
            updated_at=now,
            completed_at=now if done else None,
        )

    def change(self, changes: TaskChanges, now: datetime) -> frozenset[str]:
        """A partial change, as one: every rule checked first, then one version at most.

        Returns the fields that changed (none: nothing changed, version kept).
        """
        return self._apply(now, check_changes(changes, _RULES))

    def rename(self, title: str, now: datetime) -> frozenset[str]:
        return self._apply(now, {"title": values.title(title)})

    def start(self, now: datetime) -> frozenset[str]:
        return self._apply(now, {"status": Status.IN_PROGRESS})

    def complete(self, now: datetime) -> frozenset[str]:
        return self._apply(now, {"status": Status.DONE})

    def reopen(self, now: datetime) -> frozenset[str]:
        return self._apply(now, {"status": Status.TODO})

    def retag(self, tags: Iterable[str], now: datetime) -> frozenset[str]:
        return self._apply(now, {"tags": Tags(tags)})

    def assign(self, user_id: int | None, now: datetime) -> frozenset[str]:
        return self._apply(now, {"assignee_id": user_id})

    def unassign(self, now: datetime) -> frozenset[str]:
        return self.assign(None, now)

    def move_to(self, project_id: int | None, now: datetime) -> frozenset[str]:
        return self._apply(now, {"project_id": project_id})

    def is_overdue(self, today: date) -> bool:
        return (
            self.status is not Status.DONE and self.due_date is not None and self.due_date < today
        )

    def _apply(self, now: datetime, values: Mapping[str, Any]) -> frozenset[str]:
        was_done = self.status is Status.DONE
        changed = super()._apply(now, values)
        if (self.status is Status.DONE) is was_done:
            return changed
        self.completed_at = self.updated_at if not was_done else None
        return changed | {"completed_at"}
