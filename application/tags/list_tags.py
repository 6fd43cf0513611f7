from __future__ import annotations

from application.pagination import Page, PageQuery, paginate
from application.ports import CursorCodec, TagReader
from application.views import TagView


class ListTagsHandler:
    def __init__(self, reader: TagReader, cursors: CursorCodec) -> None:
        self._reader = reader
        self._cursors = cursors

    async def __call__(self, page: PageQuery) -> Page[TagView]:
        return await paginate(
            page, "tags|name", self._cursors, self._reader.list, lambda tag: (tag.name,)
        )
