"""Failures become one line on stderr and an exit code per class of error (``ExitCode``).

Messages never carry a secret: the database password is masked wherever it
would appear.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import socket
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from typer.core import TyperGroup

from application.errors import (
    ConcurrentUpdate,
    Conflict,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
)
from domain.errors import DomainError
from infrastructure.database.failures import DatabaseFailure
from infrastructure.database.failures import classify as database_failure
from infrastructure.database.urls import UnsupportedDatabase
from infrastructure.logging import InvalidLogLevel

logger = logging.getLogger("taskhex.cli")

_UNDEFINED_TABLE: Final = "42P01"
_FAILURES: Final = {
    DatabaseFailure.UNREACHABLE: "cannot reach the database",
    DatabaseFailure.LOST: "lost the connection to the database",
    DatabaseFailure.TIMED_OUT: "a statement ran past DB_STATEMENT_TIMEOUT",
    DatabaseFailure.BUSY: "no database connection came free within DB_POOL_TIMEOUT",
}


class ExitCode(enum.IntEnum):
    """The README's table of exit codes."""

    OK = 0
    UNEXPECTED = 1  # LOG_LEVEL=DEBUG logs its traceback
    INVALID = 2  # a bad option or argument, a broken rule, a malformed line, a bad setting
    NOT_FOUND = 3
    CONFLICT = 4  # --if-version mismatch, a lost race, a uniqueness rule, a checkpoint
    UNAVAILABLE = 5  # unreachable, or without its schema (taskhex db upgrade)


class CliError(Exception):
    """A failure the CLI detects itself, with the exit code it deserves."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


def classify(error: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one-line message for ``error``."""
    match error:
        case CliError():
            return error.code, str(error)
        case NotFound():
            return ExitCode.NOT_FOUND, str(error)
        case PreconditionFailed() | ConcurrentUpdate() | Conflict():
            return ExitCode.CONFLICT, str(error)
        case DomainError():
            return ExitCode.INVALID, f"invalid input: {error}"
        case InvalidCursor():
            return ExitCode.INVALID, f"invalid input: cursor: {error}"
        case ValidationError():
            fields = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
            )
            return ExitCode.INVALID, f"invalid configuration: {fields}"
        case UnsupportedDatabase() | InvalidLogLevel():
            return ExitCode.INVALID, f"invalid configuration: {error}"
        case DBAPIError() if _undefined_table(error):
            return ExitCode.UNAVAILABLE, (
                f"the database has no schema yet ({_first_line(error.orig)}); "
                "run `taskhex db upgrade`"
            )
        case _ if (failure := database_failure(error)) is not None:
            return ExitCode.UNAVAILABLE, f"{_FAILURES[failure]}: {_detail(error)}"
        case OperationalError() | InterfaceError() | socket.gaierror():
            return ExitCode.UNAVAILABLE, f"cannot use the database: {_detail(error)}"
        case _:
            detail = _first_line(error)
            return ExitCode.UNEXPECTED, (
                f"unexpected {type(error).__name__}{': ' + detail if detail else ''} "
                "(LOG_LEVEL=DEBUG logs the traceback)"
            )


def fail(error: BaseException, secrets: Iterable[str] = ()) -> NoReturn:
    """Print ``error`` as one line on stderr and exit with its code."""
    code, message = classify(error)
    if code is ExitCode.UNEXPECTED:
        logger.debug("unexpected error", exc_info=error)
    typer.echo(f"error: {redact(message, secrets)}", err=True)
    raise typer.Exit(int(code))


@contextlib.contextmanager
def exit_on_error(secrets: Iterable[str] = ()) -> Iterator[None]:
    """Turn any exception in the block into a message on stderr and an exit code."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as error:
        fail(error, secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _undefined_table(error: DBAPIError) -> bool:
    original = error.orig
    return (
        getattr(original, "sqlstate", None) == _UNDEFINED_TABLE
        or getattr(original, "pgcode", None) == _UNDEFINED_TABLE
        or "no such table" in str(original)
    )


def _detail(error: BaseException) -> str:
    original = error.orig if isinstance(error, DBAPIError) else error
    return _first_line(original) or type(original).__name__


def _first_line(error: object) -> str:
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else ""


class OneLineErrors(TyperGroup):
    """Usage errors (exit code 2) as one line on stderr too, like every other error."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as error:  # Typer's own (click's) usage errors
            if type(error).__name__ != "NoArgsIsHelpError":  # the help is already printed
                context = getattr(error, "ctx", None)
                hint = f" (see '{context.command_path} --help')" if context is not None else ""
                typer.echo(f"error: {error.format_message()}{hint}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)
