from __future__ import annotations

from application.errors import NotFound
from application.ports import UserReader
from application.views import UserView


class GetUserHandler:
    def __init__(self, reader: UserReader) -> None:
        self._reader = reader

    async def __call__(self, user_id: int) -> UserView:
        view = await self._reader.get(user_id)
        if view is None:
            raise NotFound("user", user_id)
        return view
