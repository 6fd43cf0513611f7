"""Page requests and pages, independent of any transport."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from application.errors import InvalidQuery

LIMIT_MAX: Final = 100
LIMIT_DEFAULT: Final = 20

T = TypeVar("T")
K = TypeVar("K", bound=enum.StrEnum)


@dataclass(frozen=True)
class PageRequest:
    limit: int = LIMIT_DEFAULT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= LIMIT_MAX:
            raise InvalidQuery("limit", f"must be between 1 and {LIMIT_MAX}", "limit_range")
        if self.offset < 0:
            raise InvalidQuery("offset", "must be zero or more", "offset_range")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    limit: int
    total: int | None
    next_cursor: str | None = None


def parse_sort(text: str, keys: type[K]) -> tuple[K, bool]:
    """``key`` or ``-key`` (descending) for one of ``keys``; anything else is refused."""
    text = text.strip()
    try:
        return keys(text.removeprefix("-")), text.startswith("-")
    except ValueError:
        allowed = ", ".join(k.value for k in keys)
        raise InvalidQuery(
            "sort", f"must be one of {allowed}, optionally prefixed by '-'", "enum"
        ) from None


class NameSortKey(enum.StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"


@dataclass(frozen=True)
class NameSort:
    """The order of users and projects: by name (the database's collation) or age; ties by id."""

    key: NameSortKey = NameSortKey.NAME
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> NameSort:
        return cls(*parse_sort(text, NameSortKey))
