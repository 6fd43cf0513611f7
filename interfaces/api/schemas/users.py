"""HTTP shapes of users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from domain.values import EMAIL_MAX, EMAIL_SHAPE
from interfaces.api.schemas.common import (
    BLANK,
    VISIBLE_RUN,
    Name,
    PageOut,
    RequestBody,
    refuse_null,
)

Email = Annotated[
    str,
    Field(min_length=3, max_length=EMAIL_MAX),
    WithJsonSchema(
        {
            "type": "string",
            # At most 254 characters once trimmed: a look-ahead, as a maxLength would
            # count the white space that trimming drops.
            "pattern": rf"^{BLANK}(?={VISIBLE_RUN}{{3,{EMAIL_MAX}}}{BLANK}$){EMAIL_SHAPE}{BLANK}$",
            "description": "local@domain.tld; unique without regard to case",
        }
    ),
]


class UserCreate(RequestBody):
    email: Email
    name: Name

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "ada@example.org", "name": "Ada"}]}
    )


class UserUpdate(RequestBody):
    empty_means_null: ClassVar[bool] = True
    non_nullable: ClassVar[tuple[str, ...]] = ("email", "name")

    email: Email | None = None
    name: Name | None = None

    not_null = field_validator(*non_nullable, mode="before")(refuse_null)


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    created_at: datetime
    updated_at: datetime


class UserPage(PageOut[UserOut]):
    pass
