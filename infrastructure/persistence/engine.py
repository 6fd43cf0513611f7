"""Engine and session factories. Created by the container, never at import.

On PostgreSQL the engine keeps a client-side pool (``QueuePool``) in both modes:

- direct: ``DB_POOL_SIZE`` + ``DB_MAX_OVERFLOW`` server connections at most,
  recycled after ``DB_POOL_RECYCLE`` seconds, checked before use when they
  have been idle (``DB_POOL_PRE_PING``, see ``pool_ping``); the
  statement timeout is set once per connection. Overflow connections are
  closed as soon as they are returned, so a pool that overflows under steady
  load opens a connection per request: ``DB_MAX_OVERFLOW`` is 0 by default.
- behind a transaction-mode pooler (``Settings.uses_pooler``): the same pool
  of *client* connections to the pooler, taken last-in-first-out. A client
  connection holds no server connection while idle, so keeping a few open is
  cheap for the database, and it saves the TCP, TLS and SCRAM handshakes that
  ``NullPool`` would pay on every request (several round trips to Neon).
  LIFO keeps the busy connections warm and lets the spare ones age out; the
  pre-ping replaces any that the pooler closed. No session state is used
  (see ``pooler``).

Opening a connection is retried (see ``retries``), so the pool refills by
itself when the database comes back.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from infrastructure.persistence.failures import DatabaseFailure, classify
from infrastructure.persistence.pool_ping import connections_lost, install_ping
from infrastructure.persistence.pooler import install_statement_timeout, pooler_connect_args
from infrastructure.persistence.retries import ConnectPolicy, driver_connect, retrying
from infrastructure.persistence.urls import DriverUrl, async_url
from infrastructure.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    target = async_url(settings.database_url.get_secret_value())
    if target.is_sqlite:
        return _sqlite_engine(target, settings)
    pooled = settings.uses_pooler
    # asyncpg connections get a ping of ours (pool_ping); others SQLAlchemy's.
    own_ping = settings.db_pool_pre_ping and target.driver == "asyncpg"
    options: dict[str, Any] = {
        "echo": settings.db_echo,
        "pool_pre_ping": settings.db_pool_pre_ping and not own_ping,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
        "pool_use_lifo": pooled,
    }
    engine = create_async_engine(
        target.url, connect_args=postgres_connect_args(target, settings), **options
    )
    install_statement_timeout(engine, settings.db_statement_timeout, pooled=pooled)
    event.listen(engine.sync_engine, "handle_error", _invalidate_when_lost)
    if own_ping:
        # Behind a pooler every checkout is pinged: the pooler may have a dead
        # server connection to hand out, and a failed ping makes it drop one.
        install_ping(engine, idle_for=0 if pooled else settings.db_pool_ping_after)
    return engine


def _invalidate_when_lost(context: ExceptionContext) -> None:
    """Treat every lost connection as a disconnect, which SQLAlchemy's checks can miss.

    The connection is then discarded, and the pool's older connections too:
    they most likely went the same way (a restart, a failover).
    """
    lost = classify(context.original_exception) is DatabaseFailure.LOST
    if lost and not context.is_disconnect:
        context.is_disconnect = True
    if lost and context.engine is not None:
        connections_lost(context.engine.pool)


def postgres_connect_args(target: DriverUrl, settings: Settings) -> dict[str, Any]:
    """The driver's connect arguments: the URL's, the timeout, pooler safety, retries."""
    connect_args = dict(target.connect_args)
    if target.driver == "asyncpg":
        connect_args.setdefault("timeout", settings.db_connect_timeout)
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
    connect_args["async_creator_fn"] = retrying(driver_connect(target.driver), policy)
    return connect_args


def _sqlite_engine(target: DriverUrl, settings: Settings) -> AsyncEngine:
    if target.url.database in (None, "", ":memory:"):
        raise ValueError("an in-memory SQLite database cannot be shared: use a file")
    # A file database needs no pool worth tuning; each connection is cheap.
    engine = create_async_engine(
        target.url,
        echo=settings.db_echo,
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


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
