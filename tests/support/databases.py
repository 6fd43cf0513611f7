"""Containers of the real app on a test database, and emptying that database."""

from __future__ import annotations

from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.settings import Settings
from interfaces.container import Container

# URLs that lead through a transaction-mode pooler: containers on them run in pooler mode.
POOLED_URLS: set[str] = set()


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
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
    container = Container()
    container.settings.override(
        providers.Object(Settings(database_url=database_url, **settings))  # type: ignore[arg-type]
    )
    return container
