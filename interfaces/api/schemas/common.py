"""HTTP shapes every resource shares: request bodies, pages, problems, health."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from domain.values import DESCRIPTION_MAX, NAME_MAX

T = TypeVar("T")

Description = Annotated[str, Field(max_length=DESCRIPTION_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]


def _integral(value: Any) -> Any:
    """JSON Schema's integers, which include ``318.0``; strings and booleans stay refused."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


ReferenceId = Annotated[
    int,
    BeforeValidator(_integral),
    Field(strict=True, gt=0, le=2**63 - 1, description="The id of an existing row"),
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

    def named_fields(self) -> dict[str, Any]:
        """The fields the body names, with their values: what a partial update changes."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class PageOut(BaseModel, Generic[T]):
    """A page of a collection, in the contract's shape."""

    items: list[T]
    limit: int
    next_cursor: str | None
    total: int | None


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
