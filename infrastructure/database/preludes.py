"""A statement that opens a transaction, sent with its ``BEGIN`` in one round trip (asyncpg).

Every transaction of the service starts with a statement of its own (the
workspace and role of ``persistence.workspaces.isolation``). SQLAlchemy's
asyncpg adapter sends ``BEGIN`` by itself, just before the first statement of
a transaction, so an opening statement of its own would cost a round trip
more. On a ``PreludedConnection``, ``open_with`` keeps that statement until
the ``BEGIN`` goes, and sends both as one simple query (whose statements run
in order, in the one transaction). A statement kept by a connection that
never began a transaction is dropped when the connection goes back to the
pool, so that it can never open another caller's transaction.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class PreludedConnection(asyncpg.Connection):  # type: ignore[misc]
    _prelude = ""

    def open_next_transaction_with(self, sql: str) -> None:
        self._prelude = sql

    def drop_prelude(self) -> None:
        self._prelude = ""

    async def execute(self, query: str, *args: Any, **options: Any) -> str:
        # asyncpg's Transaction.start sends "BEGIN[ ISOLATION LEVEL ...];" with no arguments.
        if self._prelude and not args and query.startswith("BEGIN"):
            query, self._prelude = f"{query.rstrip(';')}; {self._prelude}", ""
        status: str = await super().execute(query, *args, **options)
        return status


def _preluded(driver: object) -> bool:
    """Whether ``driver`` is a ``PreludedConnection`` (asyncpg's metaclass makes
    ``isinstance`` true of every asyncpg connection)."""
    return PreludedConnection in type(driver).__mro__


def install_preludes(engine: AsyncEngine) -> None:
    """Drop what a connection of ``engine`` (made with ``CONNECT_ARGS``) still keeps when it
    goes back to the pool."""

    def dropped(dbapi_connection: Any, _record: Any) -> None:
        driver: Any = getattr(dbapi_connection, "driver_connection", None)
        if _preluded(driver):
            driver.drop_prelude()

    event.listen(engine.sync_engine.pool, "checkin", dropped)


CONNECT_ARGS = {"connection_class": PreludedConnection}
"""What asyncpg connects with to make ``PreludedConnection``s."""


async def open_with(connection: AsyncConnection, sql: str) -> None:
    """Make ``sql`` the first statement of ``connection``'s transaction: sent with its
    ``BEGIN`` when that is still to come on a ``PreludedConnection``, else now."""
    if not connection.in_transaction():
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        if _preluded(driver) and not driver.is_in_transaction():
            driver.open_next_transaction_with(sql)
            return
    await connection.exec_driver_sql(sql)
