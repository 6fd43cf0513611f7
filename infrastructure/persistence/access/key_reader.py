"""Pages of the caller's workspace's API keys, oldest first, without their hashes."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select

from application.pagination import Page, PageRequest
from application.ports import KeyReader
from application.views import KeyView
from domain.workspaces import Role
from infrastructure.persistence import keyset, scope
from infrastructure.persistence.access.key_repository import SHOWN
from infrastructure.persistence.reads import Query, Reads
from infrastructure.persistence.workspaces.table import api_key


def _pages(seeking: bool) -> tuple[Query, Query | None]:
    rows, counted = keyset.paged(
        select(*SHOWN).where(scope.of(api_key)),
        [api_key.c.created_at, api_key.c.id],
        descending=False,
        seeking=seeking,
    )
    return Query(rows), None if counted is None else Query(counted)


_PAGES: Final = {seeking: _pages(seeking) for seeking in (False, True)}


class SqlKeyReader(KeyReader):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def list(self, page: PageRequest) -> Page[KeyView]:
        rows, count = _PAGES[page.after is not None]
        async with self._reads() as run:
            found, total, more = await keyset.read_page(
                run, rows, count, keyset.parameters_of(page, page.after), page
            )
        views = [KeyView(**{**r._mapping, "role": Role(r.role)}) for r in found]
        return Page(views, page.limit, total, more=more)
