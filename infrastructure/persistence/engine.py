"""Engine and session factories. Created by the container, never at import."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from infrastructure.persistence.urls import async_url
from infrastructure.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    target = async_url(settings.database_url.get_secret_value())
    options: dict[str, Any] = {"echo": settings.db_echo, "pool_pre_ping": settings.db_pool_pre_ping}
    connect_args = dict(target.connect_args)
    if target.is_sqlite:
        connect_args["timeout"] = settings.db_connect_timeout
        if target.url.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database cannot be shared: use a file")
        # A file database needs no pool worth tuning; each connection is cheap.
        options["poolclass"] = NullPool
    else:
        connect_args["timeout"] = settings.db_connect_timeout
        options.update(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
            pool_recycle=settings.db_pool_recycle,
        )
    engine = create_async_engine(target.url, connect_args=connect_args, **options)
    if target.is_sqlite:
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
