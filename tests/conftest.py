"""Shared fixtures: real databases (PostgreSQL and SQLite), containers and an HTTP client."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence import migrations
from infrastructure.settings import Settings
from interfaces.api.app import create_app
from interfaces.container import Container, dispose
from tests.postgres import NoPostgres, fresh_database, postgres_server

_postgres_report: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in _postgres_report:
        terminalreporter.write_line(f"PostgreSQL: {line}")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    try:
        with postgres_server() as (url, how):
            _postgres_report.append(f"tests ran against {how}")
            yield url
    except (NoPostgres, subprocess.CalledProcessError, OSError) as error:
        reason = f"PostgreSQL tests skipped: {error}"
        _postgres_report.append(reason)
        if os.environ.get("TASKHEX_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A database of this run's own, migrated to head, dropped at the end."""
    with fresh_database(postgres_admin_url, f"taskhex_test_{uuid.uuid4().hex[:12]}") as url:
        migrations.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "taskhex.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def empty_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("TRUNCATE task_tag, task, tag, project, app_user RESTART IDENTITY CASCADE")
            )
        else:
            for table in ("task_tag", "task", "tag", "project", "app_user"):
                await connection.execute(text(f"DELETE FROM {table}"))


def make_container(database_url: str, **settings: object) -> Container:
    container = Container()
    container.settings.override(
        providers.Object(Settings(database_url=database_url, db_pool_size=5, **settings))  # type: ignore[arg-type]
    )
    return container


@pytest.fixture
async def container(database_url: str) -> AsyncIterator[Container]:
    """A container on an emptied database; its engine is disposed afterwards."""
    services = make_container(database_url)
    await empty_tables(services.engine())
    yield services
    await dispose(services)


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP through the real app (lifespan included) on a real database."""
    app = create_app(container)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http
