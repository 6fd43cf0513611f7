"""HTTP shapes: request and response bodies as the REST contract describes them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.values import DESCRIPTION_MAX, TITLE_MAX

StatusName = Literal["todo", "in_progress", "done"]
PriorityName = Literal["low", "medium", "high"]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]
ReferenceId = Annotated[
    int, Field(strict=True, gt=0, le=2**63 - 1, description="The id of an existing row")
]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Only a ``YYYY-MM-DD`` string (or a date) is a date: no numbers, no datetimes.

    Checked by hand because the body is validated from Python objects, where a
    strict ``date`` would refuse every string.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_from_string", "Input should be a valid calendar date"
            ) from None
    raise PydanticCustomError("date_type", "Input should be a date in the format YYYY-MM-DD")


DueDate = Annotated[date, BeforeValidator(_iso_date), Field(description="YYYY-MM-DD")]
Tags = Annotated[
    list[Annotated[str, Field(max_length=200)]],
    Field(
        max_length=1000,
        description="At most 20 distinct tags of 1..50 characters of [a-z0-9_-] after "
        "trimming and lower-casing; duplicates merge.",
    ),
]


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_trim(item) for item in value]
    return value


def refuse_null(cls: Any, value: Any) -> Any:
    """A field validator for the fields of a partial update that cannot be cleared."""
    if value is None:
        raise PydanticCustomError("null_not_allowed", "this field cannot be null")
    return value


class RequestBody(BaseModel):
    """A JSON object whose strings are trimmed and whose unknown fields are refused.

    On a create, a string that is empty after trimming counts as missing; on a
    partial update it counts as ``null`` (which only nullable fields accept).
    """

    model_config = ConfigDict(extra="forbid")
    empty_means_null: ClassVar[bool] = False
    non_nullable: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _trim_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        trimmed = {}
        for key, value in data.items():
            if type(value) is str:
                value = value.strip()
                if not value and key in cls.__pydantic_fields__:
                    if not cls.empty_means_null:
                        continue
                    if key not in cls.non_nullable:
                        value = None
            elif type(value) is list:
                value = _trim(value)
            trimmed[key] = value
        return trimmed


class TaskCreate(RequestBody):
    title: Title
    description: Description | None = None
    status: StatusName = "todo"
    priority: PriorityName = "medium"
    due_date: DueDate | None = None
    tags: Tags = Field(default_factory=list)
    project_id: ReferenceId | None = None
    assignee_id: ReferenceId | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"title": "Write the report", "tags": ["docs", "q4"]}]}
    )


class TaskUpdate(RequestBody):
    """Only the fields present change; ``null`` clears a nullable field."""

    empty_means_null: ClassVar[bool] = True
    non_nullable: ClassVar[tuple[str, ...]] = ("title", "status", "priority", "tags")

    title: Title | None = None
    description: Description | None = None
    status: StatusName | None = None
    priority: PriorityName | None = None
    due_date: DueDate | None = None
    tags: Tags | None = None
    project_id: ReferenceId | None = None
    assignee_id: ReferenceId | None = None

    not_null = field_validator(*non_nullable, mode="before")(refuse_null)


class TaskOut(BaseModel):
    id: int
    title: str
    description: str | None
    status: StatusName
    priority: PriorityName
    due_date: date | None
    project_id: int | None
    assignee_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int


class TaskPage(BaseModel):
    items: list[TaskOut]
    limit: int
    next_cursor: str | None
    total: int | None


class TaskStatsOut(BaseModel):
    total: int
    by_status: dict[StatusName, int]
    by_priority: dict[PriorityName, int]
    overdue: int
    completion_rate: float


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ErrorItem] | None = None
    correlation_id: str | None = None


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"] | None = None
