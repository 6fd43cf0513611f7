"""Tasks, tags and their links as tables, and a task's explicit mapping to and from rows.

Priority is stored as its rank (1..3), so that ordering and seeking by
priority use a plain index.
"""

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlmodel import Field, Relationship, SQLModel

from application.views import TaskView
from domain.tasks import Task
from domain.values import Priority, Status, Tags
from infrastructure.persistence import scope
from infrastructure.persistence.types import NEVER_REUSE_IDS, BigId, UtcDateTime

NO_DUE_DATE = "2000-01-01"
"""Where tasks without a due date sort, apart from those with one (see ``statements``)."""


class TaskTagRow(SQLModel, table=True):
    __tablename__ = "task_tag"

    task_id: int = Field(
        sa_column=Column(BigId, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(BigId, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    )
    workspace_id: int = Field(sa_column=scope.column())

    __table_args__ = (Index("ix_task_tag_tag_id", "tag_id"),)


class TagRow(SQLModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=Column(String(50), nullable=False))
    workspace_id: int = Field(sa_column=scope.column())

    __table_args__ = (
        Index("ux_tag_workspace_id_name", "workspace_id", "name", unique=True),
        NEVER_REUSE_IDS,
    )


class TaskRow(SQLModel, table=True):
    __tablename__ = "task"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(2000)))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    priority: int = Field(sa_column=Column(SmallInteger, nullable=False))
    due_date: date | None = Field(default=None, sa_column=Column(Date))
    project_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("project.id", ondelete="CASCADE"))
    )
    assignee_id: int | None = Field(
        default=None, sa_column=Column(BigId, ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    workspace_id: int = Field(sa_column=scope.column())
    # The due date or a placeholder, for the due-date order: a column, not an expression,
    # because row-level security keeps a non-leakproof expression (coalesce) out of an
    # index condition.
    due_sort: date | None = Field(
        default=None,
        sa_column=Column(Date, Computed(f"coalesce(due_date, '{NO_DUE_DATE}')", persisted=True)),
    )

    # The link is declared for the mapping's sake; nothing may load it lazily.
    tags: list[TagRow] = Relationship(
        link_model=TaskTagRow,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "TagRow.name"},
    )

    __table_args__ = (
        CheckConstraint("status IN ('todo', 'in_progress', 'done')", name="ck_task_status"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="ck_task_priority"),
        CheckConstraint("version >= 1", name="ck_task_version"),
        CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="ck_task_completed_at"
        ),
        # Pages are read within one workspace: its id leads every index they seek on.
        Index("ix_task_created_at_id", "workspace_id", "created_at", "id"),
        Index("ix_task_updated_at_id", "workspace_id", "updated_at", "id"),
        # Due dates sort with the tasks that have none last, in both directions
        # (see statements.sort_columns): one index per direction.
        Index("ix_task_due_date_asc", "workspace_id", text("(due_date IS NULL)"), "due_sort", "id"),
        Index(
            "ix_task_due_date_desc",
            "workspace_id",
            text("(due_date IS NOT NULL)"),
            "due_sort",
            "id",
        ),
        Index("ix_task_priority_id", "workspace_id", "priority", "id"),
        Index("ix_task_title_id", "workspace_id", "title", "id"),
        Index("ix_task_status", "workspace_id", "status"),
        Index("ix_task_project_id_status", "project_id", "status"),
        Index("ix_task_assignee_id", "assignee_id"),
        # `q` (ILIKE '%...%') on PostgreSQL: trigram indexes (pg_trgm); none on SQLite.
        # A short pending list, which every search reads (migration 0007).
        *(
            Index(
                f"ix_task_{column}_trgm",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
                postgresql_with={"gin_pending_list_limit": 256},
            ).ddl_if(dialect="postgresql")
            for column in ("title", "description")
        ),
        NEVER_REUSE_IDS,
    )


task = TaskRow.__table__  # type: ignore[attr-defined]
tag = TagRow.__table__  # type: ignore[attr-defined]
task_tag = TaskTagRow.__table__  # type: ignore[attr-defined]


def columns_of(item: Task) -> dict[str, Any]:
    """Every written column of ``item``; its tags are links, written apart."""
    return {
        "title": item.title,
        "description": item.description,
        "status": item.status.value,
        "priority": item.priority.rank,
        "due_date": item.due_date,
        "project_id": item.project_id,
        "assignee_id": item.assignee_id,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "completed_at": item.completed_at,
        "version": item.version,
    }


def view_of(row: Sequence[Any]) -> TaskView:
    """The read model of a row of ``statements.SELECTED``, without an aggregate."""
    (
        task_id, title, description, status, priority, due_date, project_id, assignee_id,
        created_at, updated_at, completed_at, version, tags,
    ) = row  # fmt: skip
    return TaskView(
        id=task_id,
        title=title,
        description=description,
        status=Status(status),
        priority=Priority.from_rank(priority),
        due_date=due_date,
        project_id=project_id,
        assignee_id=assignee_id,
        tags=tuple(tags) if tags else (),
        created_at=created_at,
        updated_at=updated_at,
        completed_at=completed_at,
        version=version,
    )


_SHARED = tuple(f.name for f in dataclasses.fields(TaskView) if f.name != "tags")


def task_of(row: Sequence[Any]) -> Task:
    """The aggregate of a row of ``statements.SELECTED``: its view's fields, its tags checked."""
    view = view_of(row)
    return Task(**{name: getattr(view, name) for name in _SHARED}, tags=Tags(view.tags))
