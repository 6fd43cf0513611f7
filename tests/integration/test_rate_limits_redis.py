"""Rate limit counters in a real Redis (a private ``redis-server``): shared by every limiter
that uses it (every worker, every instance), one command a request, and a Redis that stops
and comes back leaves the requests answered, then counted again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from application.rate_limits import Budget
from infrastructure.rate_limits.counters import LimitsRateLimiter
from infrastructure.rate_limits.stores import CounterStore, redis_store
from tests.support.redis import RedisServer


class Steady:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def stores(private_redis: RedisServer) -> AsyncIterator[Callable[[], CounterStore]]:
    made: list[CounterStore] = []

    def store() -> CounterStore:
        made.append(redis_store(private_redis.url, timeout=10))
        return made[-1]

    yield store
    for each in made:
        await each.close()


def limiter(store: CounterStore, steady: Steady | None = None) -> LimitsRateLimiter:
    # A timeout no loaded machine reaches: these tests are about Redis answering or not.
    return LimitsRateLimiter(
        store.storage,
        timeout=10,
        retry_seconds=5,
        where=store.where,
        monotonic=steady or Steady(),
    )


def limiter_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "taskhex.rate_limits"]


async def test_two_workers_share_one_count(stores: Callable[[], CounterStore]) -> None:
    first, second = limiter(stores()), limiter(stores())
    budget = Budget(4, 60)
    answers = [await (first if n % 2 else second).hit("key:shared", budget) for n in range(5)]
    assert [a.remaining for a in answers] == [3, 2, 1, 0, 0]
    assert [a.allowed for a in answers] == [True] * 4 + [False]
    assert (await first.hit("key:other", budget)).remaining == 3


async def test_a_request_costs_one_redis_command(
    stores: Callable[[], CounterStore], private_redis: RedisServer
) -> None:
    counting = limiter(stores())
    budget = Budget(1000, 60)
    await counting.hit("key:warm", budget)  # connects, and loads the script once
    before = private_redis.commands()
    for _ in range(20):
        await counting.hit("key:counted", budget)
    after = private_redis.commands()
    spent = {name: after[name] - before.get(name, 0) for name in after}
    # One round trip a request, EVALSHA; the script runs INCRBY, and EXPIRE on the first
    # request of a window, inside Redis.
    assert {name: calls for name, calls in spent.items() if calls} == {
        "evalsha": 20,
        "incrby": 20,
        "expire": 1,
    }


async def test_redis_stopped_mid_run_lets_requests_through_then_counts_again(
    stores: Callable[[], CounterStore],
    private_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    steady = Steady()
    counting = limiter(stores(), steady)
    budget = Budget(3, 60)
    assert (await counting.hit("key:outage", budget)).remaining == 2
    private_redis.stop()
    try:
        with caplog.at_level(logging.WARNING, "taskhex.rate_limits"):
            during = [await counting.hit("key:outage", budget) for _ in range(10)]
        assert all(a.allowed and not a.counted for a in during)
        [down] = limiter_lines(caplog)
        assert "Redis at 127.0.0.1" in down
        assert "ConnectionError" in down
        steady.now += 5  # REDIS_RETRY_SECONDS later it is tried again: still down
        assert not (await counting.hit("key:outage", budget)).counted
        assert len(limiter_lines(caplog)) == 1
    finally:
        private_redis.start()
    steady.now += 5
    caplog.clear()
    with caplog.at_level(logging.WARNING, "taskhex.rate_limits"):
        back = await counting.hit("key:outage", budget)
    assert back.counted
    assert back.allowed
    [up] = limiter_lines(caplog)
    assert "counted again" in up


async def test_concurrent_requests_sent_together_are_each_counted_once(
    stores: Callable[[], CounterStore],
) -> None:
    counting = limiter(stores())
    budget = Budget(10, 60)
    answers = await asyncio.gather(*(counting.hit("key:burst", budget) for _ in range(12)))
    assert sorted(a.remaining for a in answers if a.allowed) == list(range(10))
    assert sum(not a.allowed for a in answers) == 2
