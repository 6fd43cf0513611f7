"""HTTP shapes every resource shares: request bodies, pages, problems, health."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Final, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from domain.values import DESCRIPTION_MAX, NAME_MAX, SPACES

T = TypeVar("T")

NO_NUL: Final = r"^[^\x00]*$"
BLANK: Final = f"[{SPACES}]*"
"""What trimming removes, as a pattern (not ``\\s``, on which regex engines differ)."""
VISIBLE: Final = f"[^{SPACES}\\x00]"
VISIBLE_RUN: Final = f"[^{SPACES}]"
_BLANK_STRING: Final = {"type": "string", "pattern": f"^{BLANK}$"}


def trimmed_text(max_length: int, *, required: bool) -> WithJsonSchema:
    """The schema of a string of at most ``max_length`` code points once trimmed
    (``required``: at least one), without NUL, as the server checks it: a pattern,
    since a ``maxLength`` would count the white space that trimming drops."""
    core = rf"{VISIBLE}(?:[^\x00]{{0,{max_length - 2}}}{VISIBLE})?"
    pattern = rf"^{BLANK}{core}{BLANK}$" if required else rf"^{BLANK}(?:{core})?{BLANK}$"
    return WithJsonSchema({"type": "string", "pattern": pattern})


Description = Annotated[
    str, Field(max_length=DESCRIPTION_MAX), trimmed_text(DESCRIPTION_MAX, required=False)
]
Name = Annotated[
    str, Field(min_length=1, max_length=NAME_MAX), trimmed_text(NAME_MAX, required=True)
]


def _integral(value: Any) -> Any:
    """JSON Schema's integers, which include ``318.0``; strings and booleans stay refused."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


ReferenceId = Annotated[
    int,
    Field(strict=True, gt=0, le=2**63 - 1, description="The id of an existing row"),
    BeforeValidator(_integral),
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


def _without_null(field: JsonSchemaValue) -> JsonSchemaValue:
    """A field typed ``X | None`` (so that it may be left out) whose ``null`` is refused."""
    branches = [b for b in field.get("anyOf", ()) if b != {"type": "null"}]
    if len(branches) != 1:
        return field
    rest = {k: v for k, v in field.items() if k not in ("anyOf", "default")}
    return {**branches[0], **rest}


class RequestBody(BaseModel):
    """A JSON object whose strings are trimmed and whose unknown fields are refused.

    Fields in ``non_nullable`` are ``X | None`` only so that they may be left out:
    their validator refuses ``null`` and the schema does not offer it.

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

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema says what trimming allows: a blank string where the field may be
        left out (a create) or cleared (a partial update)."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        required = set(target.get("required", ()))
        for name, field in target.get("properties", {}).items():
            if name in cls.non_nullable:
                field = target["properties"][name] = _without_null(field)
            clearable = not cls.empty_means_null or name not in cls.non_nullable
            if name not in required and clearable:
                kept = {k: field.pop(k) for k in ("title", "description", "default") if k in field}
                target["properties"][name] = {"anyOf": [field, _BLANK_STRING], **kept}
        return schema

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
