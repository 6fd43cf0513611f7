"""Users as a table: its columns are the aggregate's fields, by name."""

from datetime import datetime

from sqlalchemy import Column, Index, Integer, String, func
from sqlmodel import Field, SQLModel

from infrastructure.persistence import scope
from infrastructure.persistence.types import NEVER_REUSE_IDS, BigId, UtcDateTime

_email = Column("email", String(254), nullable=False)
_workspace = scope.column()


class UserRow(SQLModel, table=True):
    """Emails are unique case-insensitively in a workspace: the unique index is on
    ``(workspace_id, lower(email))``."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    email: str = Field(sa_column=_email)
    name: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    workspace_id: int = Field(sa_column=_workspace)

    __table_args__ = (
        Index("ux_app_user_email", _workspace, func.lower(_email), unique=True),
        Index("ix_app_user_name_id", "workspace_id", "name", "id"),
        Index("ix_app_user_created_at_id", "workspace_id", "created_at", "id"),
        NEVER_REUSE_IDS,
    )


user = UserRow.__table__  # type: ignore[attr-defined]
