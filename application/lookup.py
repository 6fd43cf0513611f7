"""Reading one resource by its id: a read model, or ``NotFound``."""

from __future__ import annotations

from typing import ClassVar, Generic, Protocol, TypeVar

from application.errors import NotFound

V = TypeVar("V", covariant=True)
W = TypeVar("W")


class ReadsById(Protocol[V]):
    async def get(self, identifier: int, /) -> V | None: ...


class GetHandler(Generic[W]):
    resource: ClassVar[str]

    def __init__(self, reader: ReadsById[W]) -> None:
        self._reader = reader

    async def __call__(self, identifier: int) -> W:
        view = await self._reader.get(identifier)
        if view is None:
            raise NotFound(self.resource, identifier)
        return view
