"""Read models: what queries and commands answer, built by readers without aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from domain.keys import ApiKey
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from domain.values import Priority, Status
from domain.workspaces import Role, Workspace


@dataclass(slots=True)
class TaskView:
    """Not frozen, unlike the other views: a page builds 50 of them, and a frozen
    dataclass's ``__init__`` takes 1.0 µs where a plain one takes 0.12 (bench/RESULTS.md).
    Nothing changes a view once a reader has built it."""

    id: int
    title: str
    description: str | None
    status: Status
    priority: Priority
    due_date: date | None
    project_id: int | None
    assignee_id: int | None
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int

    @classmethod
    def of(cls, task: Task) -> TaskView:
        assert task.id is not None, "only a stored task has a view"
        return cls(
            id=task.id,
            title=task.title,
            description=task.description,
            status=task.status,
            priority=task.priority,
            due_date=task.due_date,
            project_id=task.project_id,
            assignee_id=task.assignee_id,
            tags=task.tags,
            created_at=task.created_at,
            updated_at=task.updated_at,
            completed_at=task.completed_at,
            version=task.version,
        )


@dataclass(frozen=True)
class TaskStats:
    by_status: dict[Status, int]
    by_priority: dict[Priority, int]
    overdue: int

    @classmethod
    def of(cls, counts: dict[tuple[Status, Priority], int], overdue: int) -> TaskStats:
        """Fold counts per (status, priority) pair; every key is present, zero included."""
        by_status = dict.fromkeys(Status, 0)
        by_priority = dict.fromkeys(Priority, 0)
        for (status, priority), n in counts.items():
            by_status[status] += n
            by_priority[priority] += n
        return cls(by_status, by_priority, overdue)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def completion_rate(self) -> float:
        """done / total rounded to 4 places, half away from zero; 0 when empty."""
        if not self.total:
            return 0.0
        rate = Decimal(self.by_status[Status.DONE]) / Decimal(self.total)
        return float(rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, user: User) -> UserView:
        assert user.id is not None, "only a stored user has a view"
        return cls(user.id, user.email, user.name, user.created_at, user.updated_at, user.version)


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    name: str
    description: str | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    task_counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))

    @classmethod
    def of(cls, project: Project, task_counts: dict[Status, int] | None = None) -> ProjectView:
        assert project.id is not None, "only a stored project has a view"
        counts = dict.fromkeys(Status, 0) | (task_counts or {})
        return cls(
            project.id,
            project.name,
            project.description,
            project.owner_id,
            project.created_at,
            project.updated_at,
            project.version,
            counts,
        )


@dataclass(frozen=True, slots=True)
class TagView:
    name: str
    task_count: int


@dataclass(frozen=True, slots=True)
class KeyView:
    """An API key as it may be shown to anyone who administers its workspace: never its
    secret, nor its hash."""

    id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyView:
        assert key.id is not None, "only a stored key has a view"
        return cls(key.id, key.name, key.role, key.prefix, key.created_at, key.last_used_at)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just made, with its secret: the one answer that ever carries it."""

    key: KeyView
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class WorkspaceView:
    id: int
    name: str
    created_at: datetime

    @classmethod
    def of(cls, workspace: Workspace) -> WorkspaceView:
        assert workspace.id is not None, "only a stored workspace has a view"
        return cls(workspace.id, workspace.name, workspace.created_at)


@dataclass(frozen=True, slots=True)
class FoundedWorkspace:
    """A new workspace and its first admin key."""

    workspace: WorkspaceView
    key: IssuedKey
