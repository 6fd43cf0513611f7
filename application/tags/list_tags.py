from __future__ import annotations

from application.pagination import Page, PageRequest
from application.ports import TagReader
from application.tags.views import TagView


class ListTagsHandler:
    def __init__(self, reader: TagReader) -> None:
        self._reader = reader

    async def __call__(self, page: PageRequest) -> Page[TagView]:
        return await self._reader.list(page)
