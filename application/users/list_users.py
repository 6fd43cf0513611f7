from __future__ import annotations

from application.pagination import NameSort, Page, PageRequest
from application.ports import UserReader
from application.users.views import UserView


class ListUsersHandler:
    def __init__(self, reader: UserReader) -> None:
        self._reader = reader

    async def __call__(self, sort: NameSort, page: PageRequest) -> Page[UserView]:
        return await self._reader.list(sort, page)
