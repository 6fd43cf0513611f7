"""Making a workspace in SQL: an operator's transaction, begun outside every workspace.

The workspace table has no row-level security: it is the one table a
transaction may write before it has entered a workspace. The new workspace's
first key is written once the transaction has entered it (``isolation``), as
every other row of a workspace is.
"""

from __future__ import annotations

from types import TracebackType
from typing import Final, Self

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.errors import Conflict
from application.ports import KeyRepository, WorkspaceFounding, WorkspaceRepository
from domain.workspaces import Workspace
from infrastructure.persistence.access.key_repository import SqlKeyRepository
from infrastructure.persistence.repository import is_unique_violation
from infrastructure.persistence.scope import InWorkspace
from infrastructure.persistence.workspaces import isolation
from infrastructure.persistence.workspaces.table import workspace

_INSERT: Final = insert(workspace).returning(workspace.c.id)


class SqlWorkspaceRepository(WorkspaceRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, new: Workspace) -> Workspace:
        try:
            identifier = await self._connection.scalar(
                _INSERT, {"name": new.name, "created_at": new.created_at}
            )
        except IntegrityError as error:
            if is_unique_violation(error):
                raise Conflict(f"a workspace named {new.name!r} already exists") from error
            raise
        return Workspace(id=identifier, name=new.name, created_at=new.created_at)


class SqlWorkspaceFounding(WorkspaceFounding):
    """One connection, one transaction, committed only by ``commit()``."""

    workspaces: SqlWorkspaceRepository

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> Self:
        self._connection: AsyncConnection = await self._engine.connect()
        self.workspaces = SqlWorkspaceRepository(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed and hands the connection back.
        await self._connection.close()

    async def enter(self, workspace_id: int) -> KeyRepository:
        await isolation.enter(self._connection, workspace_id)
        return SqlKeyRepository(InWorkspace(self._connection, workspace_id))

    async def commit(self) -> None:
        await self._connection.commit()
