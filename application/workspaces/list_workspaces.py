from __future__ import annotations

from application.ports import WorkspaceReader
from application.views import WorkspaceView


class ListWorkspacesHandler:
    """Every workspace, by name: an operator's view, outside every workspace."""

    def __init__(self, reader: WorkspaceReader) -> None:
        self._reader = reader

    async def __call__(self) -> list[WorkspaceView]:
        return await self._reader.list()
