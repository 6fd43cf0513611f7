"""Projects as a table: its columns are the aggregate's fields, by name."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, func
from sqlmodel import Field, SQLModel

from infrastructure.persistence import scope
from infrastructure.persistence.types import NEVER_REUSE_IDS, BigId, UtcDateTime

_owner = Column("owner_id", BigId, ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
_name = Column("name", String(120), nullable=False)
_workspace = scope.column()


class ProjectRow(SQLModel, table=True):
    """Names are unique per owner in a workspace; ``coalesce`` makes ownerless projects
    unique too."""

    __tablename__ = "project"

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    name: str = Field(sa_column=_name)
    description: str | None = Field(default=None, sa_column=Column(String(2000)))
    owner_id: int | None = Field(default=None, sa_column=_owner)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    workspace_id: int = Field(sa_column=_workspace)

    __table_args__ = (
        Index("ux_project_owner_name", _workspace, func.coalesce(_owner, 0), _name, unique=True),
        Index("ix_project_name_id", "workspace_id", "name", "id"),
        Index("ix_project_created_at_id", "workspace_id", "created_at", "id"),
        NEVER_REUSE_IDS,
    )


project = ProjectRow.__table__  # type: ignore[attr-defined]
