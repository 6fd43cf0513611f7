"""Containers of the real app on a test database, and emptying that database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.settings import Settings
from interfaces.container import Container

# URLs that lead through a transaction-mode pooler: containers on them run in pooler mode.
POOLED_URLS: set[str] = set()


@asynccontextmanager
async def operator(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction of ``engine`` as the role it logs in as (a test's own chores; on a
    direct PostgreSQL connection a container's sessions are the runtime role's),
    committed when the block ends. The connection is not given back to the pool."""
    async with engine.connect() as connection:
        try:
            if engine.dialect.name == "postgresql":
                await connection.execute(text("SET ROLE NONE"))
                await connection.commit()
            async with connection.begin():
                yield connection
        finally:
            if engine.dialect.name == "postgresql":
                await connection.invalidate()


async def empty_tables(engine: AsyncEngine) -> None:
    async with operator(engine) as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text(
                    "TRUNCATE task_tag, task, tag, project, app_user, idempotency_key, api_key"
                    " RESTART IDENTITY CASCADE"
                )
            )
            await connection.execute(text("DELETE FROM workspace WHERE name <> 'default'"))
        else:
            for table in (
                "task_tag", "task", "tag", "project", "app_user", "idempotency_key", "api_key"
            ):  # fmt: skip
                await connection.execute(text(f"DELETE FROM {table}"))
            await connection.execute(text("DELETE FROM workspace WHERE name <> 'default'"))
            # Ids start at 1 again, as RESTART IDENTITY makes them on PostgreSQL.
            has_sequences = await connection.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
            )
            if has_sequences:
                await connection.execute(text("DELETE FROM sqlite_sequence"))


def make_container(database_url: str, **settings: object) -> Container:
    if database_url in POOLED_URLS:
        settings.setdefault("db_pooler", "transaction")
    settings.setdefault("db_pool_size", 5)
    # A test that wants last_used_at written flushes itself: no write lands in its counts.
    settings.setdefault("key_uses_flush_seconds", 3600.0)
    # Suites send many requests a minute from one key and one address: only the tests of
    # rate limits count them (tests/e2e/test_edge.py).
    settings.setdefault("rate_limits", False)
    container = Container()
    container.settings.override(
        providers.Object(Settings(database_url=database_url, **settings))  # type: ignore[arg-type]
    )
    return container
