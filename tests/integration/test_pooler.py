"""Pooler mode against a real PgBouncer in transaction mode, asyncpg and psycopg 3."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from sqlalchemy import exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.database.engine import create_engine
from infrastructure.settings import Settings
from interfaces.container import dispose
from tests.support.databases import make_container
from tests.support.http import serving
from tests.support.pgbouncer import NoPgBouncer, pgbouncer
from tests.support.postgres import admin_connection

pytestmark = [pytest.mark.postgres, pytest.mark.pgbouncer]

CONCURRENT = 20


@pytest.fixture
def private_pgbouncer_url(postgres_admin_url: str, postgres_url: str) -> Iterator[str]:
    """A PgBouncer of the test's own: the control experiments leave its servers dirty."""
    try:
        with pgbouncer(postgres_admin_url) as bouncer:
            yield bouncer.url_for(postgres_url)
    except NoPgBouncer as error:
        pytest.skip(f"PgBouncer tests skipped: {error}")


def engine(url: str, **settings: object) -> AsyncEngine:
    options = {"db_pool_size": CONCURRENT, "db_max_overflow": 0, **settings}
    return create_engine(Settings(database_url=url, **options))  # type: ignore[arg-type]


async def session_work(engine: AsyncEngine, n: int) -> None:
    """A few transactions of a few differently shaped, parametrised statements."""
    for round_ in range(3):
        async with engine.begin() as connection:
            await connection.execute(
                text("SELECT CAST(:n AS int) + CAST(:r AS int)"), {"n": n, "r": round_}
            )
            await connection.execute(text("SELECT relname FROM pg_class WHERE oid = :o"), {"o": n})
            await connection.scalar(text("SELECT count(*) FROM task WHERE id > :n"), {"n": n})
            await asyncio.sleep(0)  # let the others interleave their transactions


async def run_concurrently(engine: AsyncEngine) -> list[BaseException | None]:
    try:
        return await asyncio.gather(
            *(session_work(engine, n) for n in range(CONCURRENT)), return_exceptions=True
        )
    finally:
        await engine.dispose()


async def test_asyncpg_defaults_break_behind_pgbouncer_so_this_pooler_really_pools_transactions(
    private_pgbouncer_url: str,
) -> None:
    outcomes = await run_concurrently(engine(private_pgbouncer_url, db_pooler="none"))

    failures = [o for o in outcomes if o is not None]
    assert failures, "PgBouncer did not share server connections between clients"
    assert any("prepared statement" in str(f) for f in failures)


@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
async def test_pooler_mode_runs_concurrent_sessions_through_pgbouncer_without_an_error(
    pgbouncer_url: str, driver: str
) -> None:
    url = make_url(pgbouncer_url).set(drivername=f"postgresql+{driver}")

    outcomes = await run_concurrently(
        engine(url.render_as_string(hide_password=False), db_pooler="transaction")
    )

    assert outcomes == [None] * CONCURRENT


def server_statement_timeouts(pgbouncer_url: str) -> set[str]:
    """``statement_timeout`` on as many server connections as PgBouncer has, at once."""
    with contextlib.ExitStack() as stack:
        values = set()
        for _ in range(CONCURRENT):
            connection = stack.enter_context(contextlib.closing(admin_connection(pgbouncer_url)))
            connection.autocommit = False  # hold a transaction: a server connection each
            cursor = connection.cursor()
            cursor.execute("SHOW statement_timeout")
            row = cursor.fetchone()
            assert row is not None
            values.add(row[0])
        return values


async def test_behind_the_pooler_the_statement_timeout_is_set_per_transaction_and_never_leaks(
    pgbouncer_url: str,
) -> None:
    pooled = engine(pgbouncer_url, db_pooler="transaction", db_statement_timeout=0.2)
    try:
        async with pooled.connect() as connection:
            assert await connection.scalar(text("SHOW statement_timeout")) == "200ms"
        with pytest.raises(exc.DBAPIError, match="statement timeout"):
            async with pooled.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(2)"))
        assert await run_concurrently(pooled) == [None] * CONCURRENT
    finally:
        await pooled.dispose()

    assert server_statement_timeouts(pgbouncer_url) == {"0"}


async def test_a_session_set_would_leak_to_other_clients_of_the_pooler(
    private_pgbouncer_url: str,
) -> None:
    """The control experiment: the direct mode's per-connection SET, through the pooler."""
    direct_mode = engine(private_pgbouncer_url, db_pooler="none", db_statement_timeout=0.2)
    with contextlib.suppress(Exception):
        await run_concurrently(direct_mode)

    assert "200ms" in server_statement_timeouts(private_pgbouncer_url)


async def test_the_api_serves_on_psycopg_3_when_the_url_asks_for_it(pgbouncer_url: str) -> None:
    url = make_url(pgbouncer_url).set(drivername="postgresql+psycopg")
    container = make_container(url.render_as_string(hide_password=False))
    try:
        async with serving(container) as http:
            created = await http.post("/api/v1/tasks", json={"title": "on psycopg", "tags": ["p"]})
            assert created.status_code == 201
            read = await http.get(created.headers["location"])
            assert read.json()["tags"] == ["p"]
            assert (await http.get("/health/ready")).status_code == 200
            assert (await http.delete(created.headers["location"])).status_code == 204
    finally:
        await dispose(container)
