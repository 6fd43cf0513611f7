"""Row-level security on PostgreSQL: the database keeps workspaces apart too.

Every table with a ``workspace_id`` has row-level security enabled and forced,
with one policy: a row is visible, and may be written, only in a transaction
whose transaction-local setting ``taskhex.workspace_id`` names its workspace.
Each transaction starts with ``entering``, which sets that setting and the
runtime role with ``set_config(..., true)``: both end with the transaction,
so a transaction-mode pooler cannot hand them to another client. The runtime
role is neither a superuser nor an owner and cannot bypass the policies, so
they hold even when the service logs in as one of those. On a direct
connection the runtime role is also the session's (``engine``'s
``session_role``), which lets a read enter its workspace in its own statement
(``entering_in``) instead of a transaction of its own.

API keys are found before any workspace is known: their table has a second
policy that shows, for reading only, the key whose hash is the setting
``taskhex.key_hash``.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from infrastructure.database import preludes
from infrastructure.database.failures import describe
from infrastructure.database.urls import sync_url

RUNTIME_ROLE: Final = "taskhex_runtime"
WORKSPACE_SETTING: Final = "taskhex.workspace_id"
KEY_HASH_SETTING: Final = "taskhex.key_hash"
POLICY: Final = "workspace_isolation"
KEY_LOOKUP_POLICY: Final = "key_lookup"

IN_WORKSPACE: Final = (
    f"workspace_id = nullif(current_setting('{WORKSPACE_SETTING}', true), '')::bigint"
)
"""The policy's condition; unset (or empty), it matches no row."""

KEY_LOOKED_UP: Final = (
    f"key_hash = decode(nullif(current_setting('{KEY_HASH_SETTING}', true), ''), 'hex')"
)


def entering(workspace_id: int) -> str:
    """The first statement of a transaction in ``workspace_id``, as the runtime role."""
    return (
        f"SELECT set_config('role', '{RUNTIME_ROLE}', true),"
        f" set_config('{WORKSPACE_SETTING}', '{int(workspace_id)}', true)"
    )


def entering_in(query: str, position: int) -> str:
    """``query`` (a SELECT) made to enter, in the same statement, the workspace given as text
    in ``$position``: one round trip, and the setting ends with the statement's own
    transaction.

    ``set_config`` runs in ``prelude``, and ``query`` in a subquery that refers to it
    (``LATERAL``) and that the planner cannot merge (``OFFSET 0``), so PostgreSQL runs
    ``query`` only after the setting is made. Row-level security applies only if the
    session's role is the runtime role when the statement is planned (which a
    ``set_config`` in the statement itself would be too late for). Should the order ever
    differ, the policy sees no workspace and ``query`` finds no row.
    """
    return (
        f"SELECT entered.* FROM set_config('{WORKSPACE_SETTING}', ${position}, true) AS prelude(ws)"
        f" CROSS JOIN LATERAL (SELECT * FROM ({query}) AS query"
        " WHERE prelude.ws IS NOT NULL OFFSET 0) AS entered"
    )


_LOOKING_UP: Final = text(
    f"SELECT set_config('role', '{RUNTIME_ROLE}', true),"
    f" set_config('{KEY_HASH_SETTING}', :key_hash, true)"
)
"""A transaction that finds a key by its hash: bound, not written in the SQL, so that no
log of statements shows it."""


def let_runtime_role_log_in(database_url: str, password: str) -> None:
    """Give the runtime role (made by the migrations) a login with ``password`` (PostgreSQL)."""
    engine = create_engine(sync_url(database_url).url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            quoted = connection.dialect.identifier_preparer.quote(RUNTIME_ROLE)
            # ALTER ROLE takes no parameters: the password goes in as a quoted literal.
            literal = "'" + password.replace("'", "''") + "'"
            try:
                connection.exec_driver_sql(
                    f"ALTER ROLE {quoted} LOGIN PASSWORD {literal}".replace("%", "%%")
                )
            except DBAPIError as error:
                # Not chained: the statement, which the error quotes, holds the password.
                raise RuntimeError(
                    f"the role {RUNTIME_ROLE} could not be given a login: {describe(error)}"
                ) from None
    finally:
        engine.dispose()


async def look_up(connection: AsyncConnection, key_hash: bytes) -> None:
    """Begin ``connection``'s transaction able to find the key of ``key_hash`` (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(_LOOKING_UP, {"key_hash": key_hash.hex()})


async def enter(connection: AsyncConnection, workspace_id: int) -> None:
    """Begin ``connection``'s transaction in ``workspace_id`` (PostgreSQL; nothing elsewhere)."""
    if connection.dialect.name == "postgresql":
        await preludes.open_with(connection, entering(workspace_id))
