"""HTTP shapes of projects and tags."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from interfaces.api.schemas.common import (
    Description,
    Name,
    PageOut,
    ReferenceId,
    RequestBody,
    refuse_null,
)
from interfaces.api.schemas.tasks import StatusName


class ProjectCreate(RequestBody):
    name: Name
    description: Description | None = None
    owner_id: ReferenceId | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Launch", "owner_id": 1}]})


class ProjectUpdate(RequestBody):
    empty_means_null: ClassVar[bool] = True
    non_nullable: ClassVar[tuple[str, ...]] = ("name",)

    name: Name | None = None
    description: Description | None = None
    owner_id: ReferenceId | None = None

    not_null = field_validator(*non_nullable, mode="before")(refuse_null)


class ProjectOut(BaseModel):
    id: int
    name: str
    description: str | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
    task_counts: dict[StatusName, int]


class ProjectPage(PageOut[ProjectOut]):
    pass


class TagOut(BaseModel):
    name: str
    task_count: int


class TagPage(PageOut[TagOut]):
    pass
