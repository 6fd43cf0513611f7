"""Idempotency keys in the same transaction as the work they protect.

The claim is an ``INSERT ... ON CONFLICT DO NOTHING`` on the primary key
(workspace, scope, key). A second transaction claiming the same key waits on that row
until the first one ends: if it committed, the stored reply is read and
replayed; if it rolled back, the second one takes the key. On PostgreSQL the
wait is capped by ``SET LOCAL lock_timeout`` (transaction-scoped, so safe
behind a transaction pooler); past it the request is told to retry (409).
"""

from datetime import datetime
from typing import Final

from sqlalchemy import JSON, Column, LargeBinary, SmallInteger, String, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import Field, SQLModel

from application.errors import IdempotencyMismatch, RequestInFlight
from application.idempotency_keys import IdempotencyKey, Reply
from application.ports import IdempotencyStore
from infrastructure.persistence import scope as workspace_scope
from infrastructure.persistence.scope import InWorkspace
from infrastructure.persistence.types import UtcDateTime

WAIT_FOR_FIRST_REQUEST: Final = "5s"
_LOCK_NOT_AVAILABLE: Final = "55P03"


class IdempotencyRow(SQLModel, table=True):
    """The reply to a request that carried an ``Idempotency-Key``, kept until it expires."""

    __tablename__ = "idempotency_key"

    workspace_id: int = Field(sa_column=workspace_scope.column(primary_key=True))
    scope: str = Field(sa_column=Column(String(100), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status: int | None = Field(default=None, sa_column=Column(SmallInteger))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    headers: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False, index=True))


keys = IdempotencyRow.__table__  # type: ignore[attr-defined]


class SqlIdempotencyStore(IdempotencyStore):
    def __init__(self, connection: InWorkspace) -> None:
        self._connection = connection

    async def claim(self, key: IdempotencyKey, now: datetime) -> Reply | None:
        connection = self._connection
        postgres = connection.dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        try:
            if postgres:
                await connection.execute(
                    text(f"SET LOCAL lock_timeout = '{WAIT_FOR_FIRST_REQUEST}'")
                )
            await connection.execute(
                delete(keys).where(workspace_scope.of(keys), keys.c.expires_at < now)
            )
            claimed = await connection.execute(
                insert(keys)
                .values(
                    workspace_id=connection.workspace_id,
                    scope=key.scope,
                    key=key.key,
                    fingerprint=key.fingerprint,
                    created_at=now,
                    expires_at=now,
                )
                .on_conflict_do_nothing()
                .returning(keys.c.key)
            )
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise RequestInFlight() from error
            raise
        if claimed.first() is not None:
            return None
        stored = (
            await connection.execute(
                select(keys.c.fingerprint, keys.c.status, keys.c.body, keys.c.headers).where(
                    workspace_scope.of(keys), keys.c.scope == key.scope, keys.c.key == key.key
                )
            )
        ).one()
        if stored.fingerprint != key.fingerprint:
            raise IdempotencyMismatch()
        return Reply(stored.status, stored.body, tuple((k, v) for k, v in stored.headers))

    async def record(self, key: IdempotencyKey, reply: Reply, expires_at: datetime) -> None:
        await self._connection.execute(
            update(keys)
            .where(workspace_scope.of(keys), keys.c.scope == key.scope, keys.c.key == key.key)
            .values(
                status=reply.status,
                body=reply.body,
                headers=[list(pair) for pair in reply.headers],
                expires_at=expires_at,
            )
        )
