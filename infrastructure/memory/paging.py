from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from application.pagination import Page, PageRequest, Position

T = TypeVar("T")


def comes_after(position: Position, reference: Position, descending: bool) -> bool:
    """Whether ``position`` follows ``reference``; a missing first key sorts last either way."""
    (value, *rest), (ref_value, *ref_rest) = position, reference
    if ref_value is None:
        return value is None and (rest < ref_rest if descending else rest > ref_rest)
    if value is None:
        return True
    return position < reference if descending else position > reference


def page_of(
    ordered: Sequence[T],
    page: PageRequest,
    position: Callable[[T], Position],
    descending: bool = False,
) -> Page[T]:
    """The page of ``ordered`` (already in sort order) that ``page`` asks for."""
    if page.after is None:
        window = list(ordered[page.offset : page.offset + page.limit + 1])
        total: int | None = len(ordered)
    else:
        after = page.after
        window = [i for i in ordered if comes_after(position(i), after, descending)]
        total = None
    return Page(window[: page.limit], page.limit, total, more=len(window) > page.limit)
