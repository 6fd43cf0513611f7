"""``taskhex serve --workers 2`` as a real process, its rate limits counted in a private Redis:
the two workers share one count, answers carry no ``Server`` header, and a Redis stopped
mid-run leaves the service answering."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import Served, serving
from tests.support.redis import RedisServer

READER_BUDGET = 20
TASKS = "/api/v1/tasks"


@pytest.fixture(scope="module")
def served(
    private_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("edge-serve")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'edge.db'}",
        "REDIS_URL": private_redis.url,
        # A loaded machine must not make a count time out (it would go uncounted).
        "REDIS_TIMEOUT": "10",
        "RATE_LIMITS": "true",
        "RATE_LIMIT_READER": str(READER_BUDGET),
        "RATE_LIMIT_ADMIN": "100000",
        "LOG_LEVEL": "WARNING",
    }
    with serving(env, folder, "--workers", "2", ready_within=90) as server:
        yield server


@pytest.fixture(scope="module")
def admin(served: Served) -> dict[str, str]:
    [key] = served.printed_keys()
    return {"Authorization": f"Bearer {key}"}


def reader_key(served: Served, admin: dict[str, str]) -> dict[str, str]:
    made = httpx.post(
        f"{served.base}/api/v1/keys", json={"name": "edge", "role": "reader"}, headers=admin
    )
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['secret']}"}


async def burst(base: str, headers: dict[str, str], count: int) -> list[httpx.Response]:
    """``count`` concurrent GETs, each on a connection of its own (so that either worker
    may take it)."""
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=no_reuse) as http:
        return list(await asyncio.gather(*(http.get(TASKS) for _ in range(count))))


def workers_counting(redis: RedisServer) -> set[str]:
    """The service's processes that have a connection to Redis (named by pid)."""
    with redis.client() as client:
        return {c["name"] for c in client.client_list() if c["name"].startswith("taskhex-")}


def test_two_workers_share_one_count(
    served: Served, admin: dict[str, str], private_redis: RedisServer
) -> None:
    # Until both workers have counted a request (bounded: new connections spread over them).
    for _ in range(30):
        asyncio.run(burst(served.base, admin, 10))
        if len(workers_counting(private_redis)) == 2:
            break
    assert len(workers_counting(private_redis)) == 2
    spender, other = reader_key(served, admin), reader_key(served, admin)
    answers = asyncio.run(burst(served.base, spender, READER_BUDGET + 4))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * READER_BUDGET + [429] * 4
    # One count for both workers: each remainder exactly once, in whatever order.
    remaining = sorted(
        int(a.headers["ratelimit"].split(";r=")[1].split(";")[0])
        for a in answers
        if a.status_code == 200
    )
    assert remaining == list(range(READER_BUDGET))
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    unaffected = httpx.get(f"{served.base}{TASKS}", headers=other)
    assert unaffected.status_code == 200
    assert unaffected.headers["ratelimit"].startswith(f'"key";r={READER_BUDGET - 1};')


def test_answers_carry_security_headers_and_no_server_header(
    served: Served, admin: dict[str, str]
) -> None:
    for answer in (
        httpx.get(f"{served.base}/health/live"),
        httpx.get(f"{served.base}{TASKS}", headers=admin),
    ):
        assert "server" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_redis_stopped_mid_run_leaves_the_service_answering(
    served: Served, admin: dict[str, str], private_redis: RedisServer
) -> None:
    private_redis.stop()
    try:
        answers = [httpx.get(f"{served.base}{TASKS}", headers=admin) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 6
        assert all("ratelimit-policy" in a.headers for a in answers)
        assert "ratelimit" not in answers[-1].headers  # not counted while Redis is away
        assert any("rate limits are not counted" in line for line in served.output)
    finally:
        private_redis.start()
