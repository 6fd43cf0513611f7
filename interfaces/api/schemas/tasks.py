"""HTTP shapes of tasks: what a client sends to create or change one, and what it gets back."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from domain.values import TAG_CHARACTERS, TITLE_MAX
from interfaces.api.schemas.common import (
    BLANK,
    Description,
    PageOut,
    ReferenceId,
    RequestBody,
    refuse_null,
    trimmed_text,
)

StatusName = Literal["todo", "in_progress", "done"]
PriorityName = Literal["low", "medium", "high"]
Title = Annotated[
    str, Field(min_length=1, max_length=TITLE_MAX), trimmed_text(TITLE_MAX, required=True)
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
_TAG_SCHEMA: Final = {"type": "string", "pattern": rf"^{BLANK}{TAG_CHARACTERS}{{1,50}}{BLANK}$"}
Tags = Annotated[
    list[Annotated[str, WithJsonSchema(_TAG_SCHEMA)]],
    Field(
        max_length=1000,
        description="At most 20 distinct tags of 1..50 characters of [a-z0-9_-] after "
        "trimming and lower-casing; duplicates merge.",
    ),
]


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


class TaskPage(PageOut[TaskOut]):
    pass


class TaskStatsOut(BaseModel):
    total: int
    by_status: dict[StatusName, int]
    by_priority: dict[PriorityName, int]
    overdue: int
    completion_rate: float
