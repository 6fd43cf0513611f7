"""Connections that survive a transaction-mode pooler (PgBouncer, Neon's ``-pooler`` hosts).

Such a pooler lends a server connection for one transaction only, so nothing
may live on a server session: asyncpg's named prepared statements get unique
names and no cache (else ``prepared statement "__asyncpg_stmt_…" does not
exist``), psycopg 3 never prepares, and the statement timeout is a ``SET
LOCAL`` at the start of every transaction (a ``SET`` would leak to the next
client of that server connection). On a direct connection it is set once,
and so is the session's role (``install_session_role``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4()}__"


def pooler_connect_args(driver: str) -> dict[str, Any]:
    """Connect arguments that keep ``driver`` off server-side session state."""
    if driver == "asyncpg":
        return {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": unique_statement_name,
        }
    if driver == "psycopg":
        return {"prepare_threshold": None}
    return {}


def install_statement_timeout(engine: AsyncEngine, seconds: float, *, pooled: bool) -> None:
    """Limit every statement to ``seconds`` (0: no limit) without session state when pooled."""
    milliseconds = round(seconds * 1000)
    if milliseconds <= 0:
        return
    if pooled:
        statement = f"SET LOCAL statement_timeout = {milliseconds}"

        def in_each_transaction(connection: Connection) -> None:
            _run(connection.connection.dbapi_connection, statement)

        event.listen(engine.sync_engine, "begin", in_each_transaction)
    else:
        statement = f"SET statement_timeout = {milliseconds}"

        def on_each_connection(dbapi_connection: Any, _record: Any) -> None:
            _run(dbapi_connection, statement)
            # The driver opened a transaction for the SET; end it so that a
            # rollback of the first real transaction cannot undo the SET.
            dbapi_connection.commit()

        event.listen(engine.sync_engine, "connect", on_each_connection)


def install_session_role(engine: AsyncEngine, role: str, *, pooled: bool) -> None:
    """Make ``role`` the role of every direct connection's session (``SET ROLE`` once, when
    it connects). Behind a pooler nothing is set: a session's role would leak to the
    pooler's next client, so there each transaction sets it for itself."""
    if pooled:
        return
    statement = f"SET ROLE {role}"

    def on_each_connection(dbapi_connection: Any, _record: Any) -> None:
        _run(dbapi_connection, statement)
        dbapi_connection.commit()

    # First among the connect listeners: what else runs on connecting runs as ``role``.
    event.listen(engine.sync_engine, "connect", on_each_connection, insert=True)


def _run(dbapi_connection: Any, statement: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()
