"""Connection retries and failure kinds, against a real PostgreSQL behind a TCP proxy."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.database.engine import create_engine
from infrastructure.database.failures import DatabaseFailure, DatabaseUnreachable, classify
from infrastructure.database.pings import connections_lost, ready
from infrastructure.settings import Settings
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

PASSWORD = "pw-not-to-be-seen"  # the throwaway cluster trusts; the URL carries it anyway
DB_LOG = "taskhex.db"


@pytest.fixture
async def proxy(postgres_url: str) -> AsyncIterator[TcpProxy]:
    found = await TcpProxy.to(postgres_url)
    yield found
    await found.close()


def engine_through(proxy: TcpProxy, postgres_url: str, **settings: object) -> AsyncEngine:
    url = make_url(proxy.url_for(postgres_url)).set(password=PASSWORD)
    options = {"db_pool_size": 2, "db_retry_max_wait": 0.2, **settings}
    return create_engine(
        Settings(database_url=url.render_as_string(hide_password=False), **options)  # type: ignore[arg-type]
    )


async def select_one(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text("SELECT 1")) or 0)


def connection_retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == DB_LOG]


async def test_a_database_that_refuses_the_first_connections_costs_a_delay_not_an_error(
    proxy: TcpProxy, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DB_LOG)
    engine = engine_through(proxy, postgres_url)
    proxy.reject_next = 2  # waking up: the first two attempts are turned away

    try:
        assert await select_one(engine) == 1
    finally:
        await engine.dispose()

    assert proxy.accepted == 3
    retries = connection_retries(caplog)
    assert len(retries) == 2
    assert all("retrying in" in line for line in retries)
    assert PASSWORD not in caplog.text


async def test_a_database_that_stays_down_is_unreachable_after_the_allowed_attempts(
    proxy: TcpProxy, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DB_LOG)
    engine = engine_through(proxy, postgres_url, db_connect_attempts=3)
    await proxy.cut("refuse")

    try:
        with pytest.raises(DatabaseUnreachable, match="after 3 attempt") as raised:
            await select_one(engine)
    finally:
        await engine.dispose()

    assert classify(raised.value) is DatabaseFailure.UNREACHABLE
    assert len(connection_retries(caplog)) == 2
    assert PASSWORD not in str(raised.value)
    assert PASSWORD not in caplog.text


async def test_a_refusal_that_is_no_outage_fails_at_once(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DB_LOG)
    missing = make_url(postgres_url).set(database="no_such_database_here")
    engine = create_engine(
        Settings(database_url=missing.render_as_string(hide_password=False))  # type: ignore[arg-type]
    )

    try:
        with pytest.raises(exc.DBAPIError, match="does not exist") as raised:
            await select_one(engine)
    finally:
        await engine.dispose()

    assert connection_retries(caplog) == []
    # Not worth a retry, yet the database is unusable: answered 503 like an outage.
    assert classify(raised.value) is DatabaseFailure.UNREACHABLE


async def test_the_pool_replaces_connections_that_died_while_idle(
    proxy: TcpProxy, postgres_url: str
) -> None:
    engine = engine_through(proxy, postgres_url, db_pool_ping_after=0.05)
    try:
        assert await select_one(engine) == 1
        await proxy.cut("reject")  # every open connection dies
        await proxy.restore()
        await asyncio.sleep(0.1)  # idle for longer than the ping window

        assert await select_one(engine) == 1  # pre-ping found the dead one
    finally:
        await engine.dispose()


async def test_once_a_connection_is_lost_even_a_recently_used_one_is_pinged(
    proxy: TcpProxy, postgres_url: str
) -> None:
    engine = engine_through(proxy, postgres_url, db_pool_ping_after=60)
    try:
        assert await select_one(engine) == 1
        await proxy.cut("reject")  # every open connection dies
        await proxy.restore()
        connections_lost(engine.sync_engine.pool)  # as a failed request reports it

        assert await select_one(engine) == 1  # pinged inside its window, and replaced
    finally:
        await engine.dispose()


async def test_a_connection_is_pinged_once_idle_for_the_window_with_one_round_trip(
    postgres_url: str,
) -> None:
    engine = create_engine(
        Settings(database_url=postgres_url, db_pool_ping_after=0.2)  # type: ignore[arg-type]
    )
    opened: list[object] = []
    event.listen(engine.sync_engine.pool, "connect", lambda *_: opened.append(1))
    sent: list[str] = []
    try:
        await select_one(engine)
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
        driver.add_query_logger(lambda query: sent.append(query.query))
        for _ in range(3):
            assert await select_one(engine) == 1  # reused at once: no ping
        assert "SELECT 1" not in sent
        await asyncio.sleep(0.3)
        assert await select_one(engine) == 1
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after
    finally:
        await engine.dispose()
    assert len(opened) == 1
    # One ping, outside the query's transaction and without one of its own.
    assert sent.count("SELECT 1") == 1
    assert [q for q in sent if q != "SELECT 1"] == ["BEGIN;", "ROLLBACK;"] * 4


async def test_without_pre_ping_a_dead_pooled_connection_is_lost_once_then_replaced(
    proxy: TcpProxy, postgres_url: str
) -> None:
    engine = engine_through(proxy, postgres_url, db_pool_pre_ping=False)
    try:
        assert await select_one(engine) == 1
        await proxy.cut("reject")
        await proxy.restore()

        with pytest.raises(exc.DBAPIError) as raised:
            await select_one(engine)
        assert classify(raised.value) is DatabaseFailure.LOST
        assert await select_one(engine) == 1
        # The readiness probe absorbs one such loss by itself.
        await proxy.cut("reject")
        await proxy.restore()
        await ready(engine, within=2.0)
    finally:
        await engine.dispose()


async def test_the_readiness_probe_gives_up_within_its_budget_when_the_network_hangs(
    proxy: TcpProxy, postgres_url: str
) -> None:
    engine = engine_through(proxy, postgres_url, db_connect_attempts=5)
    await proxy.cut("hang")
    try:
        with pytest.raises(DatabaseUnreachable) as raised:
            await ready(engine, within=0.4)  # one attempt of 0.3 s, not five of 10 s
    finally:
        await engine.dispose()
    assert isinstance(raised.value.__cause__, TimeoutError)


async def test_a_statement_past_the_timeout_is_timed_out_and_the_connection_stays_usable(
    postgres_url: str,
) -> None:
    engine = create_engine(
        Settings(database_url=postgres_url, db_statement_timeout=0.1)  # type: ignore[arg-type]
    )
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SHOW statement_timeout")) == "100ms"
        with pytest.raises(exc.DBAPIError, match="statement timeout") as raised:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(2)"))
        assert classify(raised.value) is DatabaseFailure.TIMED_OUT
        assert await select_one(engine) == 1
    finally:
        await engine.dispose()


async def test_a_pool_that_stays_exhausted_is_busy(postgres_url: str) -> None:
    engine = create_engine(
        Settings(  # type: ignore[arg-type]
            database_url=postgres_url, db_pool_size=1, db_max_overflow=0, db_pool_timeout=0.2
        )
    )
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(exc.TimeoutError) as raised:
                await select_one(engine)
        assert classify(raised.value) is DatabaseFailure.BUSY
    finally:
        await engine.dispose()


async def test_errors_that_are_no_database_failure_are_left_alone(postgres_url: str) -> None:
    engine = create_engine(Settings(database_url=postgres_url))  # type: ignore[arg-type]
    try:
        with pytest.raises(exc.ProgrammingError) as raised:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT no_such_column FROM pg_class"))
    finally:
        await engine.dispose()
    assert classify(raised.value) is None
    assert classify(ValueError("connection is closed")) is None
    assert classify(asyncio.CancelledError()) is None
