"""Which failures are worth another connection attempt, and what a failed request met."""

from __future__ import annotations

import ssl

import pytest
from sqlalchemy import exc

from infrastructure.database.failures import (
    DatabaseFailure,
    DatabaseUnreachable,
    classify,
    is_transient,
)
from infrastructure.database.retries import driver_connect


class PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"server said {sqlstate}")
        self.sqlstate = sqlstate


class OperationalError(Exception):
    """As psycopg names a failure below the protocol: no SQLSTATE."""


class InterfaceError(Exception):
    pass


class InternalClientError(Exception):
    pass


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (ssl.SSLEOFError(), True),
        (ssl.SSLCertVerificationError("self-signed certificate"), False),
        (PostgresError("57P03"), True),  # the database system is starting up
        (PostgresError("53300"), True),  # too many connections
        (PostgresError("08P01"), True),  # PgBouncer: no more connections allowed
        (PostgresError("28P01"), False),  # wrong password
        (PostgresError("3D000"), False),  # no such database
        (OperationalError("connection failed: Connection refused"), True),
        (OperationalError("channel binding required, but server authenticated client"), False),
        (ValueError("bad"), False),
    ],
)
def test_only_failures_that_pass_are_retried_at_connect(
    error: BaseException, transient: bool
) -> None:
    assert is_transient(error) is transient


def test_retries_exist_for_the_async_postgres_drivers_only() -> None:
    assert callable(driver_connect("asyncpg"))
    assert callable(driver_connect("psycopg"))
    with pytest.raises(ValueError, match="aiosqlite"):
        driver_connect("aiosqlite")


def wrapped(cause: BaseException, *, invalidated: bool = False) -> exc.DBAPIError:
    error = exc.DBAPIError("SELECT 1", {}, cause, connection_invalidated=invalidated)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (DatabaseUnreachable("no connection"), DatabaseFailure.UNREACHABLE),
        (exc.TimeoutError("QueuePool limit reached"), DatabaseFailure.BUSY),
        (wrapped(PostgresError("57014")), DatabaseFailure.TIMED_OUT),
        (PostgresError("28P01"), DatabaseFailure.UNREACHABLE),  # wrong password
        (PostgresError("28000"), DatabaseFailure.UNREACHABLE),  # no such role, or refused
        (wrapped(PostgresError("3D000")), DatabaseFailure.UNREACHABLE),  # no such database
        (wrapped(PostgresError("57P01")), DatabaseFailure.LOST),
        (wrapped(PostgresError("08006")), DatabaseFailure.LOST),
        (wrapped(ValueError("?"), invalidated=True), DatabaseFailure.LOST),
        (wrapped(ConnectionResetError()), DatabaseFailure.LOST),
        (
            wrapped(InterfaceError("cannot perform operation: connection is closed")),
            DatabaseFailure.LOST,
        ),
        (wrapped(InternalClientError("cannot switch to state 11")), DatabaseFailure.LOST),
        (
            wrapped(InterfaceError("cannot perform operation: another operation is in progress")),
            None,
        ),
        (wrapped(InterfaceError()), None),
        (wrapped(PostgresError("23505")), None),
        (ValueError("connection is closed"), None),
    ],
)
def test_a_failed_request_is_told_what_it_met(
    error: BaseException, failure: DatabaseFailure | None
) -> None:
    assert classify(error) is failure


def test_a_failure_is_found_through_the_chain_of_causes() -> None:
    def roll_back_after_a_loss() -> None:
        try:
            raise wrapped(PostgresError("57P01"))
        except exc.DBAPIError as lost:
            raise RuntimeError("while rolling back") from lost

    with pytest.raises(RuntimeError) as raised:
        roll_back_after_a_loss()
    assert classify(raised.value) is DatabaseFailure.LOST
