from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from application.pagination import NameSort, Page, PageRequest
from application.ports import UserReader
from application.views import UserView
from infrastructure.persistence import keyset, scope
from infrastructure.persistence.reads import Query, Reads, first
from infrastructure.persistence.users.table import user

_BY_ID = Query(
    select(*scope.data_columns(user)).where(scope.of(user), user.c.id == bindparam("id"))
)


def _view(row: Any) -> UserView:
    return UserView(**row._mapping)


class SqlUserReader(UserReader):
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def get(self, user_id: int) -> UserView | None:
        row = await first(self._reads, _BY_ID, {"id": user_id})
        return None if row is None else _view(row)

    async def list(self, sort: NameSort, page: PageRequest) -> Page[UserView]:
        async with self._reads() as run:
            rows, total, more = await keyset.read_named_page(run, user, sort, page)
        return Page([_view(r) for r in rows], page.limit, total, more=more)
