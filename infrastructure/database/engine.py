"""The engine, made by the container (never at import).

On PostgreSQL it keeps a client-side pool, taken last-in-first-out behind a
transaction-mode pooler (an idle client connection to the pooler costs the
database nothing and saves a TLS and SCRAM handshake per request). Opening a
connection is retried (``retries``), idle connections are pinged (``pings``),
and behind a pooler nothing relies on server session state (``pooler``).
SQLite needs no pool.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from infrastructure.database import preludes
from infrastructure.database.pings import install_ping, treat_lost_as_disconnect
from infrastructure.database.pooler import (
    install_session_role,
    install_statement_timeout,
    pooler_connect_args,
)
from infrastructure.database.retries import ConnectPolicy, connecting, driver_connect
from infrastructure.database.settings import DatabaseSettings
from infrastructure.database.urls import DriverUrl, async_url


def create_engine(settings: DatabaseSettings, *, session_role: str | None = None) -> AsyncEngine:
    """The service's engine; on a direct PostgreSQL connection, each session becomes
    ``session_role`` (if given) as it connects."""
    target = async_url(settings.database_url.get_secret_value())
    if target.is_sqlite:
        return _sqlite_engine(target, settings)
    pooled = settings.uses_pooler
    # asyncpg connections get a ping of ours (pings); others SQLAlchemy's.
    own_ping = settings.db_pool_pre_ping and target.driver == "asyncpg"
    options: dict[str, Any] = {
        "echo": settings.db_echo,
        # Values stay out of logs and errors (DB_ECHO included): they may be anyone's data.
        "hide_parameters": True,
        "pool_pre_ping": settings.db_pool_pre_ping and not own_ping,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
        "pool_use_lifo": pooled,
    }
    connect_args = postgres_connect_args(target, settings)
    engine = create_async_engine(target.url, connect_args=connect_args, **options)
    if target.driver == "asyncpg":
        preludes.install_preludes(engine)
    install_statement_timeout(engine, settings.db_statement_timeout, pooled=pooled)
    if session_role is not None:
        install_session_role(engine, session_role, pooled=pooled)
    event.listen(engine.sync_engine, "handle_error", treat_lost_as_disconnect)
    if own_ping:
        # Behind a pooler every checkout is pinged: the pooler may have a dead
        # server connection to hand out, and a failed ping makes it drop one.
        install_ping(engine, idle_for=0 if pooled else settings.db_pool_ping_after)
    return engine


def postgres_connect_args(target: DriverUrl, settings: DatabaseSettings) -> dict[str, Any]:
    """The driver's connect arguments: the URL's, the timeout, pooler safety, retries."""
    connect_args = dict(target.connect_args)
    if target.driver == "asyncpg":
        connect_args.setdefault("timeout", settings.db_connect_timeout)
        connect_args.update(preludes.CONNECT_ARGS)
    elif "connect_timeout" not in target.url.query:
        # libpq counts whole seconds.
        connect_args["connect_timeout"] = max(1, math.ceil(settings.db_connect_timeout))
    if settings.uses_pooler:
        connect_args.update(pooler_connect_args(target.driver))
    policy = ConnectPolicy(
        attempts=settings.db_connect_attempts,
        first_wait=min(0.1, settings.db_retry_max_wait),
        max_wait=settings.db_retry_max_wait,
    )
    connect_args["async_creator_fn"] = connecting(driver_connect(target.driver), policy)
    return connect_args


def _sqlite_engine(target: DriverUrl, settings: DatabaseSettings) -> AsyncEngine:
    if target.url.database in (None, "", ":memory:"):
        raise ValueError("an in-memory SQLite database cannot be shared: use a file")
    # A file database needs no pool worth tuning; each connection is cheap.
    engine = create_async_engine(
        target.url,
        echo=settings.db_echo,
        hide_parameters=True,
        poolclass=NullPool,
        connect_args={"timeout": settings.db_connect_timeout},
    )
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
