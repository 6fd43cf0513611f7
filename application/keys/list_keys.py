from __future__ import annotations

from application import callers
from application.pagination import Page, PageQuery, paginate
from application.ports import CursorCodec, KeyReader
from application.views import KeyView
from domain.workspaces import Permission


def _position(key: KeyView) -> tuple[object, ...]:
    return (key.created_at, key.id)


class ListKeysHandler:
    """The caller's workspace's keys, oldest first, for its admins; never a secret."""

    def __init__(self, reader: KeyReader, cursors: CursorCodec) -> None:
        self._reader = reader
        self._cursors = cursors

    async def __call__(self, page: PageQuery) -> Page[KeyView]:
        callers.current().require(Permission.ADMINISTER)
        return await paginate(page, "keys|created_at", self._cursors, self._reader.list, _position)
