"""Every retry policy of the service, on tenacity: exponential backoff with jitter.

``connecting``: a refused connection is tried again when the refusal is
transient (a waking Neon compute, a restart, a full pooler), else it fails at
once; inside ``probing(seconds)`` it gets one bounded attempt. ``again_after_lost``:
work whose connection was lost runs again, when the caller says it is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from infrastructure.database.failures import (
    DatabaseFailure,
    DatabaseUnreachable,
    classify,
    describe,
    is_transient,
)

T = TypeVar("T")

logger = logging.getLogger("taskhex.db")

_probe_timeout: ContextVar[float | None] = ContextVar("taskhex_probe_timeout", default=None)


@dataclass(frozen=True)
class ConnectPolicy:
    attempts: int = 5
    first_wait: float = 0.1
    max_wait: float = 2.0


@contextlib.contextmanager
def probing(seconds: float) -> Iterator[None]:
    """Connections opened inside get one attempt of at most ``seconds``."""
    token = _probe_timeout.set(seconds)
    try:
        yield
    finally:
        _probe_timeout.reset(token)


def connecting(
    connect: Callable[..., Awaitable[T]], policy: ConnectPolicy
) -> Callable[..., Awaitable[T]]:
    """``connect`` with the retries of ``policy`` (one bounded attempt while probing)."""

    async def connect_with_retries(*args: Any, **kwargs: Any) -> T:
        probe = _probe_timeout.get()
        retries = AsyncRetrying(
            stop=stop_after_attempt(1 if probe is not None else policy.attempts),
            wait=wait_exponential_jitter(
                multiplier=policy.first_wait, max=policy.max_wait, jitter=policy.first_wait
            ),
            retry=retry_if_exception(is_transient),
            before_sleep=_log_connect_retry,
            reraise=True,
        )

        async def attempt() -> T:
            if probe is None:
                return await connect(*args, **kwargs)
            async with asyncio.timeout(probe):
                return await connect(*args, **kwargs)

        try:
            return await retries(attempt)
        except Exception as error:
            if not is_transient(error):
                raise
            attempts = retries.statistics.get("attempt_number", 1)
            raise DatabaseUnreachable(
                f"no connection to the database after {attempts} attempt(s): {describe(error)}"
            ) from error

    return connect_with_retries


def again_after_lost(
    attempts: int,
    *,
    worth_it: Callable[[BaseException], bool] = lambda _: True,
    backoff: float = 0.05,
    on_retry: Callable[[BaseException, int], None] | None = None,
) -> AsyncRetrying:
    """Up to ``attempts`` runs in all of work whose connection was lost (and ``worth_it``)."""

    def log(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if on_retry is not None and error is not None:
            on_retry(error, state.attempt_number + 1)

    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=backoff, max=1.0, jitter=backoff),
        retry=retry_if_exception(
            lambda error: worth_it(error) and classify(error) is DatabaseFailure.LOST
        ),
        before_sleep=log,
        reraise=True,
    )


def driver_connect(driver: str) -> Callable[..., Awaitable[Any]]:
    """The async driver's own ``connect``, the one SQLAlchemy would call."""
    if driver == "asyncpg":
        import asyncpg

        connect: Callable[..., Awaitable[Any]] = asyncpg.connect
        return connect
    if driver == "psycopg":
        import psycopg

        return psycopg.AsyncConnection.connect
    raise ValueError(f"no connection retries for driver {driver!r}")


def _log_connect_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "database connection attempt %d failed (%s); retrying in %.2f s",
        state.attempt_number,
        describe(error) if error else "no outcome",
        state.upcoming_sleep,
    )
