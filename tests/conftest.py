"""Shared fixtures: real databases (PostgreSQL and SQLite), containers and an HTTP client.

``database_url`` runs a test on SQLite and on PostgreSQL; tests under
``tests/e2e`` run a third time through a real PgBouncer in transaction mode
(``pgbouncer_url``), with the app in pooler mode.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from application.callers import Caller, acting_as
from domain.workspaces import Role
from infrastructure.persistence import migrations
from interfaces.container import Container, dispose
from tests.support.databases import POOLED_URLS, empty_tables, make_container
from tests.support.http import serving
from tests.support.pgbouncer import NoPgBouncer, PgBouncer, pgbouncer
from tests.support.postgres import NoPostgres, fresh_database, postgres_server
from tests.support.redis import NoRedis, RedisServer, redis_server

_E2E = Path(__file__).parent / "e2e"
_postgres_report: list[str] = []
_pgbouncer_report: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pgbouncer: runs through a real PgBouncer")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PgBouncer run of ``database_url`` is for the end-to-end tests only."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        through_pgbouncer = callspec is not None and callspec.params.get("database_url") == (
            "pgbouncer"
        )
        outside_e2e = _E2E not in item.path.parents
        (dropped if through_pgbouncer and outside_e2e else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist a worker's servers are its own: it hands what it found to the
    controller (``workeroutput``), which prints the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["taskhex_report"] = (_postgres_report, _pgbouncer_report)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    postgres, bouncer = getattr(node, "workeroutput", {}).get("taskhex_report", ([], []))
    _postgres_report.extend(postgres)
    _pgbouncer_report.extend(bouncer)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in dict.fromkeys(_postgres_report):  # once, however many workers found it
        terminalreporter.write_line(f"PostgreSQL: {line}")
    for line in dict.fromkeys(_pgbouncer_report):
        terminalreporter.write_line(f"PgBouncer: {line}")


@pytest.fixture(autouse=True)
def caller() -> Iterator[Caller]:
    """Every test acts as an admin of the ``default`` workspace (id 1, made by the
    migrations) unless it establishes another caller itself."""
    with acting_as(Caller(1, Role.ADMIN)) as established:
        yield established


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


@pytest.fixture(scope="session")
def pgbouncer_server(postgres_admin_url: str) -> Iterator[PgBouncer]:
    """A PgBouncer (transaction mode) in front of the tests' PostgreSQL server."""
    try:
        with pgbouncer(postgres_admin_url) as bouncer:
            _pgbouncer_report.append(f"tests ran through {bouncer.version}, transaction mode")
            yield bouncer
    except NoPgBouncer as error:
        reason = f"PgBouncer tests skipped: {error}"
        _pgbouncer_report.append(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def pgbouncer_url(pgbouncer_server: PgBouncer, postgres_url: str) -> str:
    """This run's database through PgBouncer; containers on it use pooler mode."""
    url = pgbouncer_server.url_for(postgres_url)
    POOLED_URLS.add(url)
    return url


@pytest.fixture(scope="module")
def private_redis() -> Iterator[RedisServer]:
    """A ``redis-server`` of the test module's own (the shared one on 6379 is left alone)."""
    try:
        with redis_server() as server:
            yield server
    except NoRedis as error:
        reason = f"Redis tests skipped: {error}"
        if os.environ.get("TASKHEX_REQUIRE_REDIS"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("pgbouncer", marks=[pytest.mark.postgres, pytest.mark.pgbouncer]),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


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
    async with serving(container) as http:
        yield http
