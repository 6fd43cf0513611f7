"""Workspaces as an operator reads them, outside every workspace (their table has no
row-level security)."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports import WorkspaceReader
from application.views import WorkspaceView
from infrastructure.persistence.workspaces.table import api_key, workspace

_COLUMNS: Final = (workspace.c.id, workspace.c.name, workspace.c.created_at)
_NAMED: Final = select(*_COLUMNS).where(workspace.c.name == bindparam("name"))
_ALL: Final = select(*_COLUMNS).order_by(workspace.c.name, workspace.c.id)
_ANY_KEY: Final = select(select(api_key.c.id).exists())


def _view(row: Any) -> WorkspaceView:
    return WorkspaceView(**row._mapping)


class SqlWorkspaceReader(WorkspaceReader):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def named(self, name: str) -> WorkspaceView | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_NAMED, {"name": name})).first()
        return None if row is None else _view(row)

    async def list(self) -> list[WorkspaceView]:
        async with self._engine.connect() as connection:
            return [_view(row) for row in await connection.execute(_ALL)]

    async def has_keys(self) -> bool:
        """On PostgreSQL, row-level security hides every key here (no workspace is
        entered, and the session is the runtime role's): ask only on SQLite."""
        async with self._engine.connect() as connection:
            return bool(await connection.scalar(_ANY_KEY))
