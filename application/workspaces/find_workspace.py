from __future__ import annotations

from application.errors import NotFound
from application.ports import WorkspaceReader
from application.views import WorkspaceView


class FindWorkspaceHandler:
    """The workspace of a name (an operator names one to act in it); ``NotFound`` if none."""

    def __init__(self, reader: WorkspaceReader) -> None:
        self._reader = reader

    async def __call__(self, name: str) -> WorkspaceView:
        found = await self._reader.named(name.strip())
        if found is None:
            raise NotFound("workspace", repr(name.strip()))
        return found
