"""Opening a connection, with retries: a cold start costs a delay, not an error.

A suspended Neon compute, a restarting server or a pooler that is full all
refuse a connection for a moment and then accept it. The driver's ``connect``
is wrapped (SQLAlchemy's ``async_creator_fn`` connect argument) so that such
failures are retried with exponential backoff and jitter by tenacity; anything
else (a wrong password, a missing database, a certificate that does not
verify) fails at once. When the attempts run out, ``DatabaseUnreachable`` is
raised from the last failure.

A readiness probe must answer quickly instead: inside ``probing(seconds)`` a
connection gets one attempt, bounded by ``seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
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

T = TypeVar("T")

logger = logging.getLogger("taskhex.db")

# Refused at start-up or shut down by an administrator or a crash: try again.
_TRANSIENT_STATES = {"57P01", "57P02", "57P03", "53300", "53400"}
# libpq's words (psycopg) for a network failure, which carries no SQLSTATE.
_NETWORK_TROUBLE = (
    "connection refused",
    "could not connect",
    "timeout expired",
    "timed out",
    "server closed the connection",
    "connection reset",
    "could not translate host name",
    "no route to host",
    "network is unreachable",
    "the database system is",
)
_probe_timeout: ContextVar[float | None] = ContextVar("taskhex_probe_timeout", default=None)


class DatabaseUnreachable(ConnectionError):
    """No connection could be opened, after every attempt the policy allows."""


@dataclass(frozen=True)
class ConnectPolicy:
    attempts: int = 5
    first_wait: float = 0.1
    max_wait: float = 2.0


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE a driver attached to ``error`` (asyncpg, psycopg, psycopg2)."""
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def is_transient(error: BaseException) -> bool:
    """Whether a failed connection attempt is worth another try."""
    if isinstance(error, ssl.SSLError):
        return isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError)
    if isinstance(error, OSError):  # refused, reset, timed out, name not resolved
        return True
    state = sqlstate(error)
    if state is not None:
        return state.startswith("08") or state in _TRANSIENT_STATES
    # psycopg reports a failure below the protocol without a state; libpq's own
    # refusals (a channel binding it cannot get, a bad sslmode) are not transient.
    message = str(error).lower()
    return type(error).__name__ == "OperationalError" and any(
        trouble in message for trouble in _NETWORK_TROUBLE
    )


def describe(error: BaseException) -> str:
    """A short, secret-free name for a failure: its class and SQLSTATE."""
    state = sqlstate(error)
    return f"{type(error).__name__}{f' [{state}]' if state else ''}"


@contextlib.contextmanager
def probing(seconds: float) -> Iterator[None]:
    """Connections opened inside get one attempt of at most ``seconds``."""
    token = _probe_timeout.set(seconds)
    try:
        yield
    finally:
        _probe_timeout.reset(token)


def retrying(
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
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            async for attempt in retries:
                with attempt:
                    if probe is None:
                        return await connect(*args, **kwargs)
                    async with asyncio.timeout(probe):
                        return await connect(*args, **kwargs)
        except Exception as error:
            if not is_transient(error):
                raise
            attempts = retries.statistics.get("attempt_number", 1)
            raise DatabaseUnreachable(
                f"no connection to the database after {attempts} attempt(s): {describe(error)}"
            ) from error
        raise AssertionError("tenacity stopped without an outcome")  # pragma: no cover

    return connect_with_retries


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


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "database connection attempt %d failed (%s); retrying in %.2f s",
        state.attempt_number,
        describe(error) if error else "no outcome",
        state.upcoming_sleep,
    )
