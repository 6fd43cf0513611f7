"""Neon-style URLs against a server that, like Neon, takes TCP only over TLS with SCRAM.

The URL parameters must reach every driver: asyncpg (translated into its
``ssl`` argument), psycopg 3 and psycopg2 (libpq, channel binding included).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from infrastructure.database.engine import create_engine
from infrastructure.database.urls import sync_url
from infrastructure.settings import Settings
from tests.support.postgres import NoPostgres, tls_cluster

pytestmark = pytest.mark.postgres

PASSWORD = "tls-Secret-9"
NEON_QUERY = "sslmode=require&channel_binding=require"
ON_TLS = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


@pytest.fixture(scope="module")
def tls_server() -> Iterator[tuple[str, Path]]:
    try:
        with tls_cluster(PASSWORD) as found:
            yield found
    except NoPostgres as error:
        pytest.skip(f"TLS cluster tests skipped: {error}")


def trusting(url: str) -> str:
    """The same server as the role that logs in without SCRAM."""
    return url.replace(f"postgres:{PASSWORD}@", "trusting@")


def engine(url: str) -> AsyncEngine:
    return create_engine(Settings(database_url=url, db_connect_attempts=2))  # type: ignore[arg-type]


async def runs_on_tls(url: str) -> bool:
    pool = engine(url)
    try:
        async with pool.connect() as connection:
            return bool(await connection.scalar(text(ON_TLS)))
    finally:
        await pool.dispose()


def runs_on_tls_blocking(url: str) -> bool:
    target = sync_url(url)
    pool = create_sync_engine(target.url, poolclass=NullPool)
    try:
        with pool.connect() as connection:
            return bool(connection.scalar(text(ON_TLS)))
    finally:
        pool.dispose()


async def test_asyncpg_connects_with_neons_parameters_and_verifies_the_server(
    tls_server: tuple[str, Path],
) -> None:
    url, ca = tls_server

    assert await runs_on_tls(f"{url}?{NEON_QUERY}&sslrootcert={ca}")
    assert await runs_on_tls(f"{url}?sslmode=require")


async def test_asyncpg_refuses_a_server_it_cannot_verify_when_channel_binding_is_required(
    tls_server: tuple[str, Path],
) -> None:
    url, _ = tls_server

    # Our CA is in no system store: without channel binding, verification is the guard.
    with pytest.raises(ssl.SSLCertVerificationError):
        await runs_on_tls(f"{url}?{NEON_QUERY}")


async def test_asyncpg_without_tls_is_turned_away_so_the_sslmode_is_not_dropped(
    tls_server: tuple[str, Path],
) -> None:
    url, _ = tls_server

    with pytest.raises(exc.DBAPIError, match="no encryption"):
        await runs_on_tls(f"{url}?sslmode=disable")


async def test_psycopg_3_at_run_time_binds_the_channel(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    psycopg = url.replace("postgresql://", "postgresql+psycopg://")

    assert await runs_on_tls(f"{psycopg}?{NEON_QUERY}")
    # Without SCRAM there is no channel to bind: libpq got the demand and refuses.
    with pytest.raises(exc.DBAPIError, match="channel binding"):
        await runs_on_tls(f"{trusting(psycopg)}?{NEON_QUERY}")


def test_psycopg2_for_migrations_binds_the_channel(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server

    assert runs_on_tls_blocking(f"{url}?{NEON_QUERY}")
    with pytest.raises(exc.OperationalError, match="channel binding"):
        runs_on_tls_blocking(f"{trusting(url)}?{NEON_QUERY}")
    assert runs_on_tls_blocking(f"{trusting(url)}?sslmode=require&channel_binding=prefer")
