"""Secrets stay secret and internals stay inside, whatever goes wrong.

- The password of ``DATABASE_URL`` appears in no settings ``repr``, ``str`` or
  dump, no answer (bodies, headers, ``/health/ready``) and no log line (the
  records pytest captures and the lines structlog renders, at DEBUG with SQL
  echo on): while the database answers, and when connecting fails because
  nothing listens or because the server refuses the password it was sent.
- An unexpected exception (a driver error with its SQL, or any error quoting
  SQL and driver text) is a 500 problem+json that quotes a correlation id and
  nothing else; the log line for it carries the same id and the traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import structlog
from dependency_injector import providers
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from interfaces.container import Container
from tests.support.databases import make_container
from tests.support.http import serving
from tests.support.keys import unknown_key

SECRET = "s3cr3t-P@ss:w0rd/42"
FORMS = (SECRET, quote(SECRET, safe=""), quote(SECRET))
PROBLEM = "application/problem+json"


def with_password(url: str) -> str:
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def assert_no_secret(*texts: str) -> None:
    for found in texts:
        for form in FORMS:
            assert form not in found, f"the password ({form}) leaked into: {found[:300]}"


# --- logs ----------------------------------------------------------------------------------------


@dataclass
class Logs:
    stream: io.StringIO
    caplog: pytest.LogCaptureFixture

    def everything(self) -> str:
        """The rendered lines, and every captured record with its arguments and traceback."""
        records = [
            f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {r.__dict__!r}"
            for r in self.caplog.records
        ]
        return "\n".join([self.stream.getvalue(), self.caplog.text, *records])

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Logs]:
    """Everything logged at DEBUG and above: as JSON lines (structlog) and as records."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    caplog.set_level(logging.DEBUG)
    yield Logs(stream, caplog)
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def answer_text(response: httpx.Response) -> str:
    return f"{response.status_code} {dict(response.headers)!r} {response.text}"


# --- settings ------------------------------------------------------------------------------------


def test_settings_show_the_password_in_no_repr_str_or_dump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"postgresql://taskhex:{quote(SECRET, safe='')}@db.internal:5432/taskhex"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_DIRECT_URL", url.replace("db.internal", "direct.internal"))
    monkeypatch.setenv("CURSOR_SECRET", SECRET)
    settings = Settings()

    assert settings.database_url.get_secret_value() == url  # the password is there, hidden
    assert_no_secret(
        repr(settings),
        str(settings),
        f"{settings}",
        settings.model_dump_json(),
        repr(settings.model_dump()),
        str(settings.model_dump(mode="json")),
        settings.safe_database_url,
        repr(settings.migrations_database_url),
    )


def test_an_invalid_setting_is_reported_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://taskhex:{SECRET}@db.internal/taskhex")
    monkeypatch.setenv("DB_POOL_SIZE", "none")

    with pytest.raises(ValidationError) as raised:
        Settings()

    assert_no_secret(str(raised.value), repr(raised.value), json.dumps(raised.value.errors()))


# --- a database that answers ---------------------------------------------------------------------


@pytest.mark.postgres
async def test_the_password_is_in_no_answer_and_no_log_line_while_the_database_answers(
    postgres_url: str, logs: Logs
) -> None:
    # The test server trusts local connections: the password is sent only if asked for.
    container = make_container(with_password(postgres_url), db_echo=True)

    async def broken(*_: object) -> None:
        raise RuntimeError("boom")

    container.task_stats.override(providers.Object(broken))
    async with serving(container) as http:
        answers = [
            await http.get("/health/ready"),
            await http.post("/api/v1/tasks", json={"title": "x", "tags": ["a"]}),
            await http.get("/api/v1/tasks"),
            await http.post("/api/v1/tasks", json={"title": ""}),
            await http.post("/api/v1/tasks", content=b"x", headers={"content-type": "text/plain"}),
            await http.get(f"/api/v1/tasks/{2**62}"),
            await http.get("/api/v1/tasks", params={"cursor": "forged"}),
            await http.get("/api/v1/tasks/stats"),
        ]

    assert [a.status_code for a in answers] == [200, 201, 200, 422, 415, 404, 400, 500]
    assert "SELECT" in logs.everything()  # SQL echo was on: the logs were not empty
    assert_no_secret(logs.everything(), *(answer_text(a) for a in answers))


# --- a database that cannot be used --------------------------------------------------------------


@dataclass
class PasswordRefusingServer:
    """Speaks just enough PostgreSQL to ask for a cleartext password and refuse it."""

    port: int = 0
    received: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            length, code = struct.unpack("!ii", await reader.readexactly(8))
            if code == 80877103:  # SSLRequest: no TLS here; the startup message follows
                writer.write(b"N")
                length, code = struct.unpack("!ii", await reader.readexactly(8))
            await reader.readexactly(length - 8)  # the startup parameters
            writer.write(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
            kind, length = struct.unpack("!ci", await reader.readexactly(5))
            self.received.append(kind + await reader.readexactly(length - 4))
            fields = [
                b"SFATAL",
                b"VFATAL",
                b"C28P01",
                b'Mpassword authentication failed for user "taskhex"',
            ]
            body = b"".join(f + b"\0" for f in fields) + b"\0"
            writer.write(b"E" + struct.pack("!i", len(body) + 4) + body)
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def refusing_server() -> AsyncIterator[PasswordRefusingServer]:
    fake = PasswordRefusingServer()
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        await server.wait_closed()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def failing_requests(http: httpx.AsyncClient) -> list[httpx.Response]:
    return [
        await http.get("/health/ready"),
        await http.get("/api/v1/tasks"),
        await http.post("/api/v1/tasks", json={"title": "x"}),
        await http.post("/api/v1/users", json={"email": "a@b.org", "name": "A"}),
    ]


Scenario = Callable[[], contextlib.AbstractAsyncContextManager[tuple[str, list[bytes]]]]


@contextlib.asynccontextmanager
async def nothing_listens() -> AsyncIterator[tuple[str, list[bytes]]]:
    yield f"postgresql://taskhex:{quote(SECRET, safe='')}@127.0.0.1:{closed_port()}/taskhex", []


@contextlib.asynccontextmanager
async def password_refused() -> AsyncIterator[tuple[str, list[bytes]]]:
    async with refusing_server() as fake:
        url = f"postgresql://taskhex:{quote(SECRET, safe='')}@127.0.0.1:{fake.port}/taskhex"
        yield url, fake.received


@pytest.mark.parametrize("scenario", [nothing_listens, password_refused])
async def test_a_failed_connection_leaks_the_password_into_no_answer_or_log_line(
    scenario: Scenario, logs: Logs
) -> None:
    async with scenario() as (url, sent_to_server):
        container = make_container(url, db_connect_attempts=1, db_connect_timeout=2.0)
        # Checking the key asks the database too.
        async with serving(container, key=unknown_key()) as http:
            answers = await failing_requests(http)

    if scenario is password_refused:  # the password did travel, to the server only
        assert sent_to_server
        assert all(SECRET.encode() in message for message in sent_to_server)
    # A database that cannot be used, for want of a server or of the right password,
    # is a 503 on every route, never a 500.
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["retry-after"]
    assert logs.lines()  # the failures were logged
    assert_no_secret(logs.everything(), *(answer_text(a) for a in answers))


# --- internals -----------------------------------------------------------------------------------

INTERNALS = (
    "Traceback",
    'File "',
    "SELECT",
    "no_such_table",
    "sqlalchemy",
    "asyncpg",
    "sqlite3",
    "psycopg",
    "RuntimeError",
    "ProgrammingError",
    "OperationalError",
    ".py",
)


def database_error(container: Container) -> Callable[..., Awaitable[None]]:
    async def create_task(*_: object) -> None:
        async with container.engine().connect() as connection:
            await connection.execute(text("SELECT secret_column FROM no_such_table"))

    return create_task


def error_quoting_sql(_: Container) -> Callable[..., Awaitable[None]]:
    async def create_task(*_: object) -> None:
        raise RuntimeError(
            'asyncpg.exceptions.UndefinedTableError: relation "no_such_table" does not exist '
            "[SQL: SELECT secret_column FROM no_such_table WHERE id = $1] (psycopg 3)"
        )

    return create_task


@pytest.mark.parametrize("failure", [database_error, error_quoting_sql])
async def test_an_unexpected_error_is_a_500_with_a_correlation_id_and_no_internals(
    database_url: str,
    logs: Logs,
    failure: Callable[[Container], Callable[..., Awaitable[None]]],
) -> None:
    container = make_container(database_url)
    container.create_task.override(providers.Object(failure(container)))
    async with serving(container) as http:
        answer = await http.post("/api/v1/tasks", json={"title": "x"})

    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    correlation_id = problem["correlation_id"]
    assert set(problem) == {"type", "title", "status", "detail", "correlation_id"}
    assert correlation_id == answer.headers["x-request-id"]
    assert correlation_id in problem["detail"]
    for internal in INTERNALS:
        assert internal not in answer.text
    [record] = [r for r in logs.caplog.records if r.name == "taskhex.api"]
    assert record.levelno == logging.ERROR
    assert record.__dict__["request_id"] == correlation_id
    assert record.exc_info is not None
    [line] = [line for line in logs.lines() if line["logger"] == "taskhex.api"]
    assert line["request_id"] == correlation_id
    assert correlation_id in line["event"]
    assert "Traceback" in line["exception"]
    assert "no_such_table" in line["exception"]
    assert "SELECT secret_column" in line["exception"]
