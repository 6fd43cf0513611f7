"""How the CLI turns each class of failure into an exit code and one line."""

from __future__ import annotations

import socket
import sqlite3

import pytest
import typer
from dependency_injector import providers
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer.testing import CliRunner

from application.errors import (
    ConcurrentUpdate,
    Conflict,
    InvalidCursor,
    InvalidQuery,
    NotFound,
    PreconditionFailed,
)
from domain.errors import InvalidValue
from infrastructure.database.urls import UnsupportedDatabase
from infrastructure.logging import InvalidLogLevel
from infrastructure.settings import Settings
from interfaces.cli.errors import (
    CliError,
    ExitCode,
    OneLineErrors,
    classify,
    exit_on_error,
    redact,
)
from interfaces.cli.runtime import secrets_of
from interfaces.container import Container


def invalid_settings() -> ValidationError:
    try:
        Settings(db_pool_size=0)
    except ValidationError as error:
        return error
    raise AssertionError("the settings should have been refused")


class UndefinedTable(Exception):
    sqlstate = "42P01"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFound("task", 3), ExitCode.NOT_FOUND),
        (PreconditionFailed("task", 3, 2), ExitCode.CONFLICT),
        (ConcurrentUpdate("task", 3), ExitCode.CONFLICT),
        (Conflict("a user with this email already exists"), ExitCode.CONFLICT),
        (InvalidValue("title", "must not be empty"), ExitCode.INVALID),
        (InvalidQuery("sort", "must be one of ..."), ExitCode.INVALID),
        (InvalidCursor(), ExitCode.INVALID),
        (invalid_settings(), ExitCode.INVALID),
        (UnsupportedDatabase("unsupported database 'mysql'"), ExitCode.INVALID),
        (InvalidLogLevel("LOUD"), ExitCode.INVALID),
        (CliError("line 3: bad", ExitCode.INVALID), ExitCode.INVALID),
        (OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O")), 5),
        (ConnectionRefusedError(111, "Connect call failed"), ExitCode.UNAVAILABLE),
        (TimeoutError(), ExitCode.UNAVAILABLE),
        (socket.gaierror(-2, "Name or service not known"), ExitCode.UNAVAILABLE),
        (ProgrammingError("SELECT", {}, UndefinedTable('relation "task"')), 5),
        (RuntimeError("boom"), ExitCode.UNEXPECTED),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_each_error_class_has_its_exit_code(error: BaseException, code: int) -> None:
    assert classify(error)[0] == code


def test_a_missing_schema_says_how_to_make_it() -> None:
    error = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: task"))
    assert classify(error) == (
        ExitCode.UNAVAILABLE,
        "the database has no schema yet (no such table: task); run `taskhex db upgrade`",
    )


def test_invalid_settings_name_the_environment_variable_and_not_its_value() -> None:
    code, message = classify(invalid_settings())
    assert code is ExitCode.INVALID
    assert message.startswith("invalid configuration: DB_POOL_SIZE: ")


def test_secrets_are_masked_wherever_they_appear() -> None:
    assert redact("cannot log in as app:s3cret@db", ["s3cret"]) == "cannot log in as app:***@db"
    assert redact("nothing to hide", ["", "s3cret"]) == "nothing to hide"


def test_an_error_in_the_block_leaves_as_one_masked_line_and_its_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit) as stopped, exit_on_error(["s3cret"]):
        raise ConnectionRefusedError(111, "refused for app:s3cret")
    assert stopped.value.exit_code == ExitCode.UNAVAILABLE
    assert capsys.readouterr().err == (
        "error: lost the connection to the database: [Errno 111] refused for app:***\n"
    )


def test_an_exit_in_the_block_passes_through_untouched() -> None:
    with pytest.raises(typer.Exit) as stopped, exit_on_error():
        raise typer.Exit(7)
    assert stopped.value.exit_code == 7


def test_an_abort_is_one_line_and_exit_code_1() -> None:
    app = typer.Typer(cls=OneLineErrors)

    @app.command()
    def stop() -> None:
        raise typer.Abort()

    @app.command()
    def fine() -> None:
        typer.echo("ok")

    result = CliRunner().invoke(app, ["stop"])
    assert (result.exit_code, result.stderr) == (1, "error: aborted\n")
    assert typer.main.get_command(app).main(["fine"], standalone_mode=False) is None


def test_the_secrets_of_a_container_are_its_url_and_password() -> None:
    container = Container()
    url = "postgresql://app:pw@db/taskhex"
    container.settings.override(providers.Object(Settings(database_url=url)))  # type: ignore[arg-type]
    assert secrets_of(container) == [url, "pw"]
    container.settings.override(providers.Callable(invalid_settings_factory))
    assert secrets_of(container) == []


def invalid_settings_factory() -> Settings:
    return Settings(db_pool_size=0)
