from __future__ import annotations

from application.pagination import NameSort, Page, PageQuery, paginate
from application.ports import CursorCodec, UserReader
from application.views import UserView


class ListUsersHandler:
    def __init__(self, reader: UserReader, cursors: CursorCodec) -> None:
        self._reader = reader
        self._cursors = cursors

    async def __call__(self, sort: NameSort, page: PageQuery) -> Page[UserView]:
        return await paginate(
            page,
            f"users|{sort}",
            self._cursors,
            lambda request: self._reader.list(sort, request),
            sort.position,
        )
