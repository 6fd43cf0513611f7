"""What a database failure means: lost, unreachable or too slow; worth another try or not.

The driving adapters decide what to do with a failed request (run it again
when that is safe, else answer 503); this module only says which kind of
failure an exception is, from the exception and the chain of its causes.
"""

from __future__ import annotations

import enum
import ssl
from collections.abc import Iterator

from sqlalchemy import exc

# Refused at start-up or shut down by an administrator or a crash: try again.
_TRANSIENT_STATES = {"57P01", "57P02", "57P03", "53300", "53400"}
# The server went away (57P01..03); class 08 is connection exceptions.
_LOST_STATES = {"57P01", "57P02", "57P03"}
_CANCELED = "57014"  # statement_timeout, or a cancel request
# The server refused this client: a wrong password or role (class 28), no such database.
_REFUSED = ("28", "3D000")
# What drivers say, without a SQLSTATE, when the socket is already gone.
_CLOSED_MESSAGES = ("connection is closed", "connection was closed", "server closed the connection")
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


class DatabaseUnreachable(ConnectionError):
    """No connection could be opened, after every attempt the policy allows."""


class DatabaseFailure(enum.Enum):
    LOST = "lost"
    """The connection died while the request used it: a write may or may not
    have been committed; a read can simply be run again."""

    UNREACHABLE = "unreachable"
    """No connection could be opened (after the connection retries), or the
    server refused this client: nothing ran."""

    BUSY = "busy"
    """Every pooled connection stayed in use for ``DB_POOL_TIMEOUT``: the service
    is at capacity, and the request was shed before anything ran."""

    TIMED_OUT = "timed_out"
    """A statement ran past the statement timeout and was rolled back."""


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE a driver attached to ``error`` (asyncpg, psycopg, psycopg2)."""
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) else None


def describe(error: BaseException) -> str:
    """A short, secret-free name for a failure: its class and SQLSTATE."""
    state = sqlstate(error)
    return f"{type(error).__name__}{f' [{state}]' if state else ''}"


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


def classify(error: BaseException) -> DatabaseFailure | None:
    """The kind of database failure ``error`` is, or ``None`` when it is none."""
    found: DatabaseFailure | None = None
    for cause in _causes(error):
        if isinstance(cause, exc.TimeoutError):  # the pool's wait, not a socket's
            return DatabaseFailure.BUSY
        if isinstance(cause, DatabaseUnreachable):
            return DatabaseFailure.UNREACHABLE
        state = sqlstate(cause)
        if state == _CANCELED:
            return DatabaseFailure.TIMED_OUT
        if state is not None and state.startswith(_REFUSED):
            return DatabaseFailure.UNREACHABLE
        if (
            (isinstance(cause, exc.DBAPIError) and cause.connection_invalidated)
            or (state is not None and (state.startswith("08") or state in _LOST_STATES))
            or isinstance(cause, ConnectionError | TimeoutError)
            or _says_closed(cause)
        ):
            found = DatabaseFailure.LOST
    return found


def _says_closed(error: BaseException) -> bool:
    if isinstance(error, exc.DBAPIError):
        return False
    if type(error).__name__ == "InternalClientError":
        # asyncpg's protocol got a message it did not ask for (the FATAL of a
        # terminated backend, before the socket's end): the connection is done.
        return True
    if "InterfaceError" not in type(error).__name__:
        return False
    message = str(error.args[0]).lower() if error.args else ""
    return any(closed in message for closed in _CLOSED_MESSAGES)


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        if isinstance(current, exc.DBAPIError) and isinstance(current.orig, BaseException):
            yield current.orig
        current = current.__cause__ or current.__context__
