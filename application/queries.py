"""How a list of tasks is filtered and ordered (pure specifications)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from application.pagination import Position, parse_sort
from application.views import TaskView
from domain.values import Priority, Status


class SortKey(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    TITLE = "title"


@dataclass(frozen=True)
class TaskSort:
    """A sort key and direction; ties are broken by id in the same direction.

    Tasks without a due date come after those with one in both directions, and
    priority orders by rank.
    """

    key: SortKey = SortKey.CREATED_AT
    descending: bool = True

    @classmethod
    def parse(cls, text: str) -> TaskSort:
        return cls(*parse_sort(text, SortKey))

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key.value

    def position(self, task: TaskView) -> Position:
        """Where ``task`` stands in this order: its key (priority by rank), then its id."""
        value = task.priority.rank if self.key is SortKey.PRIORITY else getattr(task, self.key)
        return (value, task.id)


@dataclass(frozen=True)
class TaskFilter:
    """All given criteria must hold; within ``statuses``/``priorities`` any may."""

    statuses: frozenset[Status] = frozenset()
    priorities: frozenset[Priority] = frozenset()
    project_id: int | None = None
    assignee_id: int | None = None
    tag: str | None = None
    q: str | None = None
    due_before: date | None = None
    due_after: date | None = None

    def scope(self) -> str:
        """A canonical text of the criteria, for binding cursors to them."""
        return repr(
            (
                sorted(self.statuses),
                sorted(p.rank for p in self.priorities),
                self.project_id,
                self.assignee_id,
                self.tag,
                self.q,
                self.due_before,
                self.due_after,
            )
        )

    def __post_init__(self) -> None:
        if self.tag is not None:
            object.__setattr__(self, "tag", self.tag.strip().lower() or None)
        if self.q is not None:
            object.__setattr__(self, "q", self.q.strip() or None)
