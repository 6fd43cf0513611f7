"""Query parameters shared by every collection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX, PageQuery

MAX_OFFSET = 2**63 - 1


async def page_query(
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="1..100")] = LIMIT_DEFAULT,
    offset: Annotated[
        int | None, Query(ge=0, le=MAX_OFFSET, description="Offset mode; default 0")
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2048,
            description="Keyset mode: the `next_cursor` of the previous page, sent with "
            "the same sort and filters. A tampered or foreign cursor is a 400.",
        ),
    ] = None,
) -> PageQuery:
    """``limit`` with ``offset`` (offset mode) or ``cursor`` (keyset mode), not both.

    An ``async`` dependency: FastAPI runs a sync one in its thread pool.
    """
    return PageQuery(limit=limit, offset=offset, cursor=cursor)


Paging = Annotated[PageQuery, Depends(page_query)]
