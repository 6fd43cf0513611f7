"""Explicit translation between table rows and domain objects."""

from __future__ import annotations

from typing import Any

from application.tasks.views import TaskView
from domain.tasks import Task
from domain.values import Priority, Status
from infrastructure.persistence.models import TaskRow


def task_from_row(row: TaskRow) -> Task:
    return Task(
        id=row.id,
        title=row.title,
        description=row.description,
        status=Status(row.status),
        priority=Priority.from_rank(row.priority),
        due_date=row.due_date,
        project_id=row.project_id,
        assignee_id=row.assignee_id,
        tags=tuple(tag.name for tag in row.tags),
        created_at=row.created_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        version=row.version,
    )


def copy_task_to_row(task: Task, row: TaskRow) -> None:
    """Copy every scalar field; tags are links, written by the repository."""
    row.title = task.title
    row.description = task.description
    row.status = task.status.value
    row.priority = task.priority.rank
    row.due_date = task.due_date
    row.project_id = task.project_id
    row.assignee_id = task.assignee_id
    row.created_at = task.created_at
    row.updated_at = task.updated_at
    row.completed_at = task.completed_at
    row.version = task.version


def view_from_columns(columns: Any, tags: tuple[str, ...]) -> TaskView:
    """Build a read model from a row of the reader's selected columns."""
    return TaskView(
        id=columns.id,
        title=columns.title,
        description=columns.description,
        status=Status(columns.status),
        priority=Priority.from_rank(columns.priority),
        due_date=columns.due_date,
        project_id=columns.project_id,
        assignee_id=columns.assignee_id,
        tags=tags,
        created_at=columns.created_at,
        updated_at=columns.updated_at,
        completed_at=columns.completed_at,
        version=columns.version,
    )
