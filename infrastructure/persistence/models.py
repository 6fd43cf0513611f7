"""SQLModel table rows: the only SQLModel classes in the code base.

Priority is stored as its rank (1..3) so that ordering and seeking by priority
use a plain index. ``version`` is SQLAlchemy's ``version_id_col``: every UPDATE
carries ``WHERE version = <loaded>``, so a lost update is impossible. The
domain increments it (``version_id_generator=False``).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    func,
    text,
)
from sqlmodel import Field, Relationship, SQLModel

from infrastructure.persistence.types import BigId, UtcDateTime

metadata = SQLModel.metadata

# SQLite would hand the id of a deleted last row to the next insert; ids are never reused.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class TaskTagRow(SQLModel, table=True):
    __tablename__ = "task_tag"

    task_id: int = Field(
        sa_column=Column(BigId, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(BigId, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    )

    __table_args__ = (Index("ix_task_tag_tag_id", "tag_id"),)


class TagRow(SQLModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=Column(String(50), nullable=False, unique=True))

    __table_args__ = (NEVER_REUSE_IDS,)


_user_version = Column("version", Integer, nullable=False)
_user_email = Column("email", String(254), nullable=False)


class UserRow(SQLModel, table=True):
    """Emails are unique case-insensitively: the unique index is on ``lower(email)``."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    email: str = Field(sa_column=_user_email)
    name: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(sa_column=_user_version)

    __mapper_args__ = {"version_id_col": _user_version, "version_id_generator": False}
    __table_args__ = (
        Index("ux_app_user_email", func.lower(_user_email), unique=True),
        Index("ix_app_user_name_id", "name", "id"),
        Index("ix_app_user_created_at_id", "created_at", "id"),
        NEVER_REUSE_IDS,
    )


_project_version = Column("version", Integer, nullable=False)
_project_owner = Column(
    "owner_id", BigId, ForeignKey("app_user.id", ondelete="SET NULL"), index=True
)
_project_name = Column("name", String(120), nullable=False)


class ProjectRow(SQLModel, table=True):
    """Names are unique per owner; ``coalesce`` makes ownerless projects unique too."""

    __tablename__ = "project"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=_project_name)
    description: str | None = Field(default=None, sa_column=Column(String(2000)))
    owner_id: int | None = Field(default=None, sa_column=_project_owner)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(sa_column=_project_version)

    __mapper_args__ = {"version_id_col": _project_version, "version_id_generator": False}
    __table_args__ = (
        Index(
            "ux_project_owner_name", func.coalesce(_project_owner, 0), _project_name, unique=True
        ),
        Index("ix_project_name_id", "name", "id"),
        Index("ix_project_created_at_id", "created_at", "id"),
        NEVER_REUSE_IDS,
    )


_version = Column("version", Integer, nullable=False)


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
    version: int = Field(sa_column=_version)

    tags: list[TagRow] = Relationship(
        link_model=TaskTagRow,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "TagRow.name"},
    )

    __mapper_args__ = {"version_id_col": _version, "version_id_generator": False}
    __table_args__ = (
        CheckConstraint("status IN ('todo', 'in_progress', 'done')", name="ck_task_status"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="ck_task_priority"),
        CheckConstraint("version >= 1", name="ck_task_version"),
        CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="ck_task_completed_at"
        ),
        Index("ix_task_created_at_id", "created_at", "id"),
        Index("ix_task_updated_at_id", "updated_at", "id"),
        # Due dates sort with the tasks that have none last, in both directions
        # (see task_reader.sort_columns): one index per direction.
        Index(
            "ix_task_due_date_asc",
            text("(due_date IS NULL)"),
            text("coalesce(due_date, '2000-01-01')"),
            "id",
        ),
        Index(
            "ix_task_due_date_desc",
            text("(due_date IS NOT NULL)"),
            text("coalesce(due_date, '2000-01-01')"),
            "id",
        ),
        Index("ix_task_priority_id", "priority", "id"),
        Index("ix_task_title_id", "title", "id"),
        Index("ix_task_status", "status"),
        Index("ix_task_project_id_status", "project_id", "status"),
        Index("ix_task_assignee_id", "assignee_id"),
        NEVER_REUSE_IDS,
    )


class IdempotencyRow(SQLModel, table=True):
    """The reply to a request that carried an ``Idempotency-Key``, kept until it expires."""

    __tablename__ = "idempotency_key"

    scope: str = Field(sa_column=Column(String(100), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status: int | None = Field(default=None, sa_column=Column(SmallInteger))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    headers: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False, index=True))
