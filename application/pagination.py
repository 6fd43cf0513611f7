"""Page requests and pages, independent of any transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from application.errors import InvalidQuery

LIMIT_MAX: Final = 100
LIMIT_DEFAULT: Final = 20

T = TypeVar("T")


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
