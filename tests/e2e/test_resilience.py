"""The service through database failures: killed connections and an outage, over HTTP.

Connections are killed for real (``pg_terminate_backend``) at chosen SQL
statements, so every kill lands while a request is using its connection.
The outage is a TCP proxy between the service and PostgreSQL that the test cuts.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header
from fastapi.responses import Response
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from interfaces.api.app import create_app
from interfaces.container import Container, dispose
from tests.support.databases import make_container, operator
from tests.support.http import serving
from tests.support.postgres import terminate_backends
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

DATABASE_LOG = "taskhex.api.database"


@pytest.fixture(
    params=[
        pytest.param("postgres"),
        pytest.param("pgbouncer", marks=pytest.mark.pgbouncer),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


class Killer:
    """Kills every connection to the test database when the run reaches given statements.

    A connection taken from the pool counts as a statement too (``CHECKOUT``):
    reads that run on asyncpg itself send no statement SQLAlchemy sees, and a
    kill right after their checkout lands on their statement.
    """

    def __init__(self, admin_url: str, database: str, at: Callable[[int, str], bool]) -> None:
        self._admin_url = admin_url
        self._database = database
        self._at = at
        self.statements: list[str] = []
        self.killed = 0
        self.kill_times: list[float] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)
        if self._at(len(self.statements), statement):
            self.killed += terminate_backends(self._admin_url, self._database)
            self.kill_times.append(time.monotonic())

    def checkout(self, *_: Any) -> None:
        self(None, None, CHECKOUT)


CHECKOUT = "-- connection checked out of the pool"
KillAt = Callable[[Callable[[int, str], bool]], Killer]


def inserting(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT")


@pytest.fixture
def kill_at(container: Container, postgres_admin_url: str, postgres_url: str) -> Iterator[KillAt]:
    """Install a ``Killer`` on the container's engine: ``kill_at(lambda n, sql: ...)``."""
    engine = container.engine()
    installed: list[Killer] = []

    def install(at: Callable[[int, str], bool]) -> Killer:
        killer = Killer(postgres_admin_url, str(make_url(postgres_url).database), at)
        event.listen(engine.sync_engine, "before_cursor_execute", killer)
        event.listen(engine.sync_engine.pool, "checkout", killer.checkout)
        installed.append(killer)
        return killer

    yield install
    for killer in installed:
        event.remove(engine.sync_engine, "before_cursor_execute", killer)
        event.remove(engine.sync_engine.pool, "checkout", killer.checkout)


def database_warnings(caplog: pytest.LogCaptureFixture, says: str) -> int:
    return sum(1 for r in caplog.records if r.name == DATABASE_LOG and says in r.getMessage())


async def test_killing_the_connections_mid_run_loses_no_acknowledged_write_and_gives_no_500(
    client: httpx.AsyncClient,
    kill_at: KillAt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=DATABASE_LOG)
    kills = {40, 100, 160, 220}
    killer = kill_at(lambda n, _: n in kills)
    acknowledged: dict[int, str] = {}
    answers: list[tuple[str, httpx.Response, float]] = []

    async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await client.request(method, url, **kwargs)
        answers.append((method, response, time.monotonic()))
        return response

    async def worker(n: int) -> None:
        for i in range(10):
            created = await call("POST", "/api/v1/tasks", json={"title": f"w{n}-{i}"})
            if created.status_code == 201:
                acknowledged[created.json()["id"]] = f"w{n}-{i}"
                await call("GET", created.headers["location"])
            await call("GET", "/api/v1/tasks", params={"limit": 5})

    await asyncio.gather(*(worker(n) for n in range(8)))

    statuses = [(method, response.status_code) for method, response, _ in answers]
    assert {status for _, status in statuses} <= {200, 201, 503}
    assert all(status == 200 for method, status in statuses if method == "GET"), statuses
    unavailable = [response for _, response, _ in answers if response.status_code == 503]
    for response in unavailable:
        assert response.headers["retry-after"].isdigit()
        assert response.headers["content-type"].startswith("application/problem+json")
    assert len(killer.kill_times) == len(kills)
    assert killer.killed >= len(kills)
    retries = database_warnings(caplog, "running it again")
    # Each kill lands on a statement being sent: that request is retried or refused.
    assert retries + len(unavailable) >= len(kills)

    for task_id, title in acknowledged.items():
        read = await client.get(f"/api/v1/tasks/{task_id}")
        assert read.status_code == 200
        assert read.json()["title"] == title
    total = (await client.get("/api/v1/tasks", params={"limit": 1})).json()["total"]
    assert len(acknowledged) <= total <= len(acknowledged) + len(unavailable)

    recovery = [
        min(at for _, response, at in answers if at > killed and response.status_code < 300)
        - killed
        for killed in killer.kill_times
    ]
    print(
        f"\nfault run: {len(answers)} requests, {killer.killed} connections killed in "
        f"{len(kills)} kills over {len(killer.statements)} statements, {retries} reads "
        f"run again, {len(unavailable)} writes answered 503, {len(acknowledged)} writes "
        f"acknowledged and all found; slowest recovery {max(recovery) * 1000:.0f} ms"
    )


async def test_a_read_whose_connection_dies_is_run_again_and_answers_200(
    client: httpx.AsyncClient,
    container: Container,
    kill_at: KillAt,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=DATABASE_LOG)
    created = await client.post("/api/v1/tasks", json={"title": "survivor"})
    # At its first checkout (after the ping) and at its first statement, whichever a
    # read sends: reads on asyncpg itself send none that SQLAlchemy sees, and behind
    # PgBouncer a kill at checkout is healed before the statement reaches a server.
    checkouts, statements = itertools.count(1), itertools.count(1)
    killer = kill_at(lambda _, sql: next(checkouts if sql == CHECKOUT else statements) == 1)

    response = await client.get(created.headers["location"])

    assert killer.killed >= 1
    assert response.status_code == 200
    assert response.json()["title"] == "survivor"
    assert database_warnings(caplog, "running it again") == 1


async def test_a_write_whose_connection_dies_is_a_503_with_retry_after_and_is_not_repeated(
    client: httpx.AsyncClient,
    kill_at: KillAt,
) -> None:
    inserts = itertools.count(1)
    killer = kill_at(lambda _, statement: inserting(statement) and next(inserts) == 1)

    response = await client.post("/api/v1/tasks", json={"title": "maybe"})

    assert killer.killed >= 1
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"] == "urn:taskhex:problem:database-lost"
    assert sum(map(inserting, killer.statements)) == 1  # run once: the INSERT that died
    assert (await client.get("/api/v1/tasks")).json()["total"] == 0


async def tag_count(container: Container, name: str) -> int:
    async with operator(container.engine()) as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM tag WHERE name = :name"), {"name": name}
        )
    return int(found or 0)


@pytest.fixture
async def keyed_app(container: Container) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The real app plus two writes: one declares Idempotency-Key (its replay is harmless)."""
    app = create_app(container)
    runs: dict[str, int] = {"keyed": 0, "unkeyed": 0}
    app.state.runs = runs

    async def remember(name: str) -> Response:
        async with operator(container.engine()) as connection:
            await connection.execute(
                text(
                    "INSERT INTO tag (name, workspace_id) VALUES (:name, 1) ON CONFLICT DO NOTHING"
                ),
                {"name": name},
            )
        return Response(status_code=201)

    @app.post("/test/keyed")
    async def keyed(idempotency_key: Annotated[str, Header()]) -> Response:
        runs["keyed"] += 1
        return await remember(idempotency_key)

    @app.post("/test/unkeyed")
    async def unkeyed() -> Response:
        runs["unkeyed"] += 1
        return await remember("unkeyed")

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield app, http


async def test_a_write_is_run_again_only_when_its_endpoint_takes_the_idempotency_key(
    keyed_app: tuple[FastAPI, httpx.AsyncClient],
    kill_at: KillAt,
) -> None:
    app, http = keyed_app
    inserts = itertools.count(1)
    kill_at(lambda _, statement: inserting(statement) and next(inserts) in (1, 3))

    keyed = await http.post("/test/keyed", headers={"Idempotency-Key": "k-2"})
    # A key on an endpoint that does not read it protects nothing.
    unkeyed = await http.post("/test/unkeyed", headers={"Idempotency-Key": "k-3"})

    assert keyed.status_code == 201
    assert app.state.runs["keyed"] == 2
    assert await tag_count(app.state.container, "k-2") == 1
    assert unkeyed.status_code == 503
    assert app.state.runs["unkeyed"] == 1
    assert await tag_count(app.state.container, "unkeyed") == 0


async def test_a_key_sent_to_no_endpoint_changes_nothing(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/nowhere", json={}, headers={"Idempotency-Key": "k"})

    assert response.status_code == 404


async def test_readiness_goes_503_within_2_s_in_an_outage_and_200_again_without_a_restart(
    postgres_url: str,
) -> None:
    proxy = await TcpProxy.to(postgres_url)
    container = make_container(proxy.url_for(postgres_url), db_connect_attempts=2)
    try:
        async with serving(container) as http:
            assert (await http.get("/health/ready")).status_code == 200
            for outage in ("refuse", "hang"):
                await proxy.cut(outage)  # type: ignore[arg-type]
                started = time.monotonic()
                down = await http.get("/health/ready")
                elapsed = time.monotonic() - started
                assert down.status_code == 503, outage
                assert down.headers["retry-after"] == "2"
                # The contract's 2 s, and a little for the scheduler of a busy machine.
                assert elapsed < 2.5, f"{outage}: readiness took {elapsed:.2f} s"
                if outage == "refuse":
                    during = await http.get("/api/v1/tasks")
                    assert during.status_code == 503
                    assert during.json()["type"] == "urn:taskhex:problem:database-unreachable"

                await proxy.restore()
                for _ in range(50):
                    if (await http.get("/health/ready")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                else:
                    pytest.fail(f"readiness did not come back after the {outage} outage")
                assert (await http.get("/api/v1/tasks")).status_code == 200
    finally:
        await proxy.close()
        await dispose(container)


@pytest.mark.parametrize("fast_reads", [True, False], ids=["fast reads", "shared reads"])
async def test_a_request_that_gets_no_connection_in_time_is_shed_with_a_503_and_not_run(
    postgres_url: str, fast_reads: bool
) -> None:
    container = make_container(
        postgres_url, db_pool_size=1, db_pool_timeout=0.2, db_fast_reads=fast_reads
    )
    try:
        async with serving(container) as http:
            before = (await http.get("/api/v1/tasks")).json()["total"]
            async with container.engine().connect() as held:  # the pool's only connection
                await held.execute(text("SELECT 1"))
                for shed in (
                    await http.get("/api/v1/tasks/1"),
                    await http.post("/api/v1/tasks", json={"title": "never written"}),
                ):
                    assert shed.status_code == 503
                    assert shed.headers["retry-after"] == "1"
                    assert shed.json()["type"] == "urn:taskhex:problem:database-busy"
            assert (await http.get("/api/v1/tasks")).json()["total"] == before
    finally:
        await dispose(container)
