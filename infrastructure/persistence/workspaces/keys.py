"""The API keys of every workspace, in SQL: what the key authenticator asks the database.

A key is found by its hash before any workspace is known; on PostgreSQL that
read runs as the runtime role with the hash as its transaction-local setting,
which the key table's second policy matches (``isolation``). Uses are written
one statement per workspace, each in its workspace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.workspaces import Role
from infrastructure.auth.api_keys import KeyStore, KeyUse, StoredKey
from infrastructure.persistence import json_rows, scope
from infrastructure.persistence.workspaces import isolation
from infrastructure.persistence.workspaces.table import api_key

_FIND = select(api_key.c.id, api_key.c.workspace_id, api_key.c.role, api_key.c.key_hash).where(
    api_key.c.key_hash == bindparam("key_hash")
)
_USES = (Column("id", api_key.c.id.type), Column("used_at", api_key.c.last_used_at.type))


def _touch(dialect: str) -> Any:
    uses = json_rows.given(_USES, dialect)
    last = api_key.c.last_used_at
    return (
        update(api_key)
        .where(scope.of(api_key), api_key.c.id == uses.c.id)
        .where(or_(last.is_(None), last < uses.c.used_at))
        .values(last_used_at=uses.c.used_at)
    )


class SqlKeyStore(KeyStore):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, key_hash: bytes) -> StoredKey | None:
        async with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                await connection.exec_driver_sql(isolation.looking_up(key_hash))
            row = (await connection.execute(_FIND, {"key_hash": key_hash})).first()
        if row is None:
            return None
        return StoredKey(row.id, row.workspace_id, Role(row.role), bytes(row.key_hash))

    async def touch(self, last_used: Mapping[KeyUse, datetime]) -> None:
        """One ``UPDATE`` per workspace, in one transaction; never moves a time back."""
        if not last_used:
            return
        grouped: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
        for key, used in last_used.items():
            grouped[key.workspace_id].append({"id": key.key_id, "used_at": used})
        async with self._engine.begin() as connection:
            statement = _touch(connection.dialect.name)
            for workspace_id, uses in sorted(grouped.items()):
                await isolation.enter(connection, workspace_id)
                rows = json_rows.encode(uses, _USES, connection.dialect)
                await connection.execute(
                    statement, {scope.PARAMETER: workspace_id, json_rows.ROWS: rows}
                )
