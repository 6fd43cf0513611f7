"""HTTP shapes of the bulk task operations."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from interfaces.api.schemas.common import ReferenceId, RequestBody, refuse_null
from interfaces.api.schemas.tasks import PriorityName, StatusName, TaskCreate, TaskOut

BATCH_MAX = 1000

Ids = Annotated[
    list[ReferenceId],
    Field(min_length=1, max_length=BATCH_MAX, description="1..1000 ids; duplicates count once"),
]


class TaskBatch(RequestBody):
    items: list[TaskCreate] = Field(min_length=1, max_length=BATCH_MAX)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [{"title": "a"}, {"title": "b", "tags": ["x"]}]}]}
    )


class BulkCreated(BaseModel):
    items: list[TaskOut]


class BulkChanges(RequestBody):
    empty_means_null: ClassVar[bool] = True
    non_nullable: ClassVar[tuple[str, ...]] = ("status", "priority")

    status: StatusName | None = None
    priority: PriorityName | None = None
    assignee_id: ReferenceId | None = None
    project_id: ReferenceId | None = None

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    not_null = field_validator(*non_nullable, mode="before")(refuse_null)

    @model_validator(mode="after")
    def _names_a_change(self) -> BulkChanges:
        if not self.model_fields_set:
            raise PydanticCustomError("changes_empty", "name at least one field to change")
        return self


class BulkUpdate(RequestBody):
    ids: Ids
    changes: BulkChanges

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ids": [1, 2, 3], "changes": {"status": "done"}}]}
    )


class BulkDelete(RequestBody):
    ids: Ids

    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": [1, 2, 3]}]})


class BulkUpdated(BaseModel):
    updated: int


class BulkDeleted(BaseModel):
    deleted: int
