"""Workspaces and their API keys as tables.

A workspace is the unit of isolation, so its table has no ``workspace_id`` of
its own; an API key belongs to one, and is stored as the keyed hash of its
secret only (``infrastructure.auth.api_keys``), unique across workspaces so
that a key finds its workspace.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from infrastructure.persistence import scope
from infrastructure.persistence.types import NEVER_REUSE_IDS, BigId, UtcDateTime


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspace"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))

    __table_args__ = (NEVER_REUSE_IDS,)


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    workspace_id: int = Field(sa_column=scope.column())
    name: str = Field(sa_column=Column(String(120), nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    prefix: str = Field(sa_column=Column(String(8), nullable=False))
    key_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime))

    __table_args__ = (
        CheckConstraint("role IN ('reader', 'writer', 'admin')", name="ck_api_key_role"),
        Index("ix_api_key_workspace_id_created_at_id", "workspace_id", "created_at", "id"),
        NEVER_REUSE_IDS,
    )


workspace = WorkspaceRow.__table__  # type: ignore[attr-defined]
api_key = ApiKeyRow.__table__  # type: ignore[attr-defined]
