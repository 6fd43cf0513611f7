"""Explicit translation between table rows and domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from application.tasks.views import TaskView
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from domain.values import Priority, Status
from infrastructure.persistence.models import ProjectRow, TaskRow, UserRow


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


def task_columns(task: Task) -> dict[str, Any]:
    """Every scalar column; tags are links, written by the repository."""
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status.value,
        "priority": task.priority.rank,
        "due_date": task.due_date,
        "project_id": task.project_id,
        "assignee_id": task.assignee_id,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "completed_at": task.completed_at,
        "version": task.version,
    }


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def user_columns(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "version": user.version,
    }


def project_from_row(row: ProjectRow) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        description=row.description,
        owner_id=row.owner_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def project_columns(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "description": project.description,
        "owner_id": project.owner_id,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "version": project.version,
    }


def task_view_from_columns(columns: Sequence[Any], tags: tuple[str, ...]) -> TaskView:
    """Build a read model from a row of the reader's selected columns, in their order
    (``task_reader._COLUMNS``): an SQLAlchemy row or an asyncpg record alike."""
    (
        task_id, title, description, status, priority, due_date, project_id, assignee_id,
        created_at, updated_at, completed_at, version,
    ) = columns[:12]  # fmt: skip
    return TaskView(
        id=task_id,
        title=title,
        description=description,
        status=Status(status),
        priority=Priority.from_rank(priority),
        due_date=due_date,
        project_id=project_id,
        assignee_id=assignee_id,
        tags=tags,
        created_at=created_at,
        updated_at=updated_at,
        completed_at=completed_at,
        version=version,
    )
