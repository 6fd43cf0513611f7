"""The storage of the rate limit counters: Redis (``REDIS_URL``), or this process's memory.

Redis through redis-py's asyncio client (hiredis parses its answers), the
counts of one moment sent together (``pipelined``), with a short timeout
(``REDIS_TIMEOUT``) for connecting and for each answer, and no retry of its
own: a Redis that does not answer costs a request at most that timeout once,
then the limiter leaves it alone (``counters``).

Memory counts in one process only: every worker of ``taskhex serve --workers N``
and every instance keeps its own count, so that a client gets N times its
budget. It is the development fallback (SQLite, one process).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis.asyncio
from limits.aio.storage import MemoryStorage, Storage
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from infrastructure.rate_limits.counters import NAMESPACE, LimitsRateLimiter
from infrastructure.rate_limits.pipelined import PipelinedRedisStorage
from infrastructure.settings import Settings


@dataclass(frozen=True)
class CounterStore:
    storage: Storage
    where: str  # what the logs call it: never a password
    close: Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


def redis_store(url: str, timeout: float) -> CounterStore:
    # Named by process, so that CLIENT LIST tells the workers apart.
    pool = redis.asyncio.ConnectionPool.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        client_name=f"taskhex-{os.getpid()}",
    )
    # The pool is ours, so that it can be closed; the library runs its script through it.
    options: dict[str, object] = {"connection_pool": pool, "retry": Retry(NoBackoff(), 0)}
    storage = PipelinedRedisStorage(
        "async+redis://", implementation="redispy", key_prefix=NAMESPACE, **options
    )
    parts = urlsplit(url)
    where = f"Redis at {parts.hostname or parts.path}" + (f":{parts.port}" if parts.port else "")
    return CounterStore(storage, where, pool.aclose)


def counter_store(settings: Settings) -> CounterStore:
    if settings.redis_url is None:
        return CounterStore(MemoryStorage(), "memory", _nothing)
    return redis_store(settings.redis_url.get_secret_value(), settings.redis_timeout)


def rate_limiter(store: CounterStore, settings: Settings) -> LimitsRateLimiter:
    return LimitsRateLimiter(
        store.storage,
        timeout=settings.redis_timeout,
        retry_seconds=settings.redis_retry_seconds,
        where=store.where,
    )
