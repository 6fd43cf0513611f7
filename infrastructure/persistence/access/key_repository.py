"""The API keys of the unit of work's workspace, for the key use cases.

Every statement is scoped (``scope.of``) on the unit of work's connection, and
none reads or returns a hash: a key leaves the store without it.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import BigInteger, bindparam, delete, func, select, update

from application.ports import KeyRepository
from domain.keys import ApiKey
from domain.workspaces import Role
from infrastructure.persistence import json_rows, scope
from infrastructure.persistence.scope import InWorkspace
from infrastructure.persistence.workspaces.table import api_key, workspace

SHOWN: Final = tuple(c for c in scope.data_columns(api_key) if c.name != "key_hash")
"""What a key is read as: every column but its workspace and its hash."""

_INSERT: Final = json_rows.inserted(
    api_key, select(*(bindparam(c.name, type_=c.type) for c in json_rows.written(api_key)))
).returning(api_key.c.id)
_BY_ID: Final = select(*SHOWN).where(scope.of(api_key), api_key.c.id == bindparam("id"))
_ADMINS: Final = (
    select(func.count()).select_from(api_key).where(scope.of(api_key), api_key.c.role == "admin")
)
_DELETE: Final = delete(api_key).where(scope.of(api_key), api_key.c.id == bindparam("id"))
# A write on the workspace's row: PostgreSQL locks the row (as FOR NO KEY UPDATE would:
# inserts that check their foreign key to it go on), SQLite takes its one write lock, on
# which the other writer waits (busy_timeout). Nothing changes.
_HOLD: Final = (
    update(workspace)
    .where(workspace.c.id == bindparam(scope.PARAMETER, type_=BigInteger))
    .values(id=workspace.c.id)
)


def key_of(row: Any) -> ApiKey:
    found = row._mapping
    return ApiKey(**{**found, "role": Role(found["role"])})


class SqlKeyRepository(KeyRepository):
    def __init__(self, connection: InWorkspace) -> None:
        self._connection = connection

    async def add(self, key: ApiKey, key_hash: bytes) -> ApiKey:
        columns = {c.name: getattr(key, c.name) for c in SHOWN if c.name != "id"}
        inserted = await self._connection.scalar(_INSERT, {**columns, "key_hash": key_hash})
        return ApiKey(**{**columns, "id": inserted})

    async def get(self, key_id: int) -> ApiKey | None:
        row = (await self._connection.execute(_BY_ID, {"id": key_id})).first()
        return None if row is None else key_of(row)

    async def hold(self) -> None:
        await self._connection.execute(_HOLD)

    async def admins(self) -> int:
        return int(await self._connection.scalar(_ADMINS))

    async def delete(self, key_id: int) -> bool:
        result = await self._connection.execute(_DELETE, {"id": key_id})
        return bool(result.rowcount)
