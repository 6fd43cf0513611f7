"""What a database failure means for the caller: lost, unreachable or too slow.

The driving adapters decide what to do with a failed request (retry it when
that is safe, else answer 503); this module only says which kind of failure
an exception is, from the exception and the chain of its causes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from sqlalchemy import exc

from infrastructure.persistence.retries import DatabaseUnreachable, sqlstate

# Connection exceptions (class 08) and the server going away (57P01..03).
_LOST_STATES = {"57P01", "57P02", "57P03"}
_CANCELED = "57014"  # statement_timeout, or a cancel request
# What drivers say, without a SQLSTATE, when the socket is already gone.
_CLOSED_MESSAGES = ("connection is closed", "connection was closed", "server closed the connection")


class DatabaseFailure(enum.Enum):
    LOST = "lost"
    """The connection died while the request used it: a write may or may not
    have been committed; a read can simply be run again."""

    UNREACHABLE = "unreachable"
    """No connection could be had (after the connection retries, or the pool
    stayed exhausted): nothing ran."""

    TIMED_OUT = "timed_out"
    """A statement ran past the statement timeout and was rolled back."""


def classify(error: BaseException) -> DatabaseFailure | None:
    """The kind of database failure ``error`` is, or ``None`` when it is none."""
    found: DatabaseFailure | None = None
    for cause in _causes(error):
        if isinstance(cause, DatabaseUnreachable | exc.TimeoutError):
            return DatabaseFailure.UNREACHABLE
        state = sqlstate(cause)
        if state == _CANCELED:
            return DatabaseFailure.TIMED_OUT
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
