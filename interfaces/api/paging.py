"""Query parameters shared by every collection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX, PageRequest

MAX_OFFSET = 2**63 - 1


class Paging:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="1..100")] = LIMIT_DEFAULT,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> None:
        self.request = PageRequest(limit=limit, offset=offset)
