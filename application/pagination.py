"""Page requests and pages, independent of any transport."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Generic, Protocol, TypeVar

from application import callers
from application.errors import InvalidQuery

LIMIT_MAX: Final = 100
LIMIT_DEFAULT: Final = 20

T = TypeVar("T")
K = TypeVar("K", bound=enum.StrEnum)


Position = tuple[object, ...]
"""Where an item stands in a sort: its sort key value(s), then its id."""


class CursorCodec(Protocol):
    """Opaque, tamper-evident page positions (a port: ``application.ports`` lists it)."""

    def encode(self, position: Position, scope: str) -> str: ...

    def decode(self, cursor: str, scope: str) -> Position:
        """The position ``cursor`` holds; ``InvalidCursor`` unless it was made for ``scope``."""
        ...


@dataclass(frozen=True)
class PageRequest:
    """What a reader is asked for: an offset page, or (``after`` given) a keyset page."""

    limit: int = LIMIT_DEFAULT
    offset: int = 0
    after: Position | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= LIMIT_MAX:
            raise InvalidQuery("limit", f"must be between 1 and {LIMIT_MAX}", "limit_range")
        if self.offset < 0:
            raise InvalidQuery("offset", "must be zero or more", "offset_range")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``total`` counts every match in offset mode and is ``None`` in keyset mode."""

    items: list[T]
    limit: int
    total: int | None
    next_cursor: str | None = None
    more: bool = False


@dataclass(frozen=True)
class PageQuery:
    """What a client asks for: ``offset`` or an opaque ``cursor``, never both."""

    limit: int = LIMIT_DEFAULT
    offset: int | None = None
    cursor: str | None = None

    def __post_init__(self) -> None:
        if self.offset is not None and self.cursor is not None:
            raise InvalidQuery("cursor", "cannot be combined with offset", "cursor_with_offset")


async def paginate(
    query: PageQuery,
    scope: str,
    codec: CursorCodec,
    fetch: Callable[[PageRequest], Awaitable[Page[T]]],
    position: Callable[[T], Position],
) -> Page[T]:
    """Fetch one page and give it a cursor to the next one, when there is one.

    ``scope`` names the collection, sort and filters a cursor is valid for; a
    cursor made for another scope, or in another workspace than the caller's, is
    refused (``InvalidCursor``).
    """
    scope = f"workspace {callers.current().workspace_id}|{scope}"
    after = None if query.cursor is None else codec.decode(query.cursor, scope)
    page = await fetch(PageRequest(query.limit, query.offset or 0, after))
    if not page.more:
        return page
    return dataclasses.replace(page, next_cursor=codec.encode(position(page.items[-1]), scope))


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

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.key.value

    def position(self, item: Named) -> Position:
        value = item.name if self.key is NameSortKey.NAME else item.created_at
        return (value, item.id)


class Named(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...
