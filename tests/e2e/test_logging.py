"""Structured logs, the access line and the request id, through the real app."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import structlog
from dependency_injector import providers

from application.errors import NotFound
from infrastructure.logging import InvalidLogLevel, configure_logging
from interfaces.api.app import create_app
from interfaces.api.middleware.access_log import AccessLog
from interfaces.api.middleware.request_id import identified
from interfaces.container import Container
from tests.support.databases import make_container
from tests.support.http import serving
from tests.support.keys import bearer, issue_key

HEX_ID = re.compile(r"[0-9a-f]{32}")


class Logs:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == logger]


@pytest.fixture
def configured() -> Iterator[Callable[[str], io.StringIO]]:
    """Configure logging into a buffer; put the previous configuration back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level

    def configure(log_format: str) -> io.StringIO:
        stream = io.StringIO()
        configure_logging("INFO", log_format, stream)  # type: ignore[arg-type]
        return stream

    yield configure
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def logs(configured: Callable[[str], io.StringIO]) -> Logs:
    return Logs(configured("json"))


@pytest.fixture
def services(sqlite_url: str) -> Container:
    return make_container(sqlite_url)


@pytest.fixture
async def client(services: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(services, raise_app_exceptions=False) as http:
        yield http


async def test_the_callers_request_id_comes_back_and_is_logged(
    client: httpx.AsyncClient, logs: Logs
) -> None:
    answer = await client.get("/health/live", headers={"X-Request-ID": "checkout-42.a:b"})
    assert answer.headers["X-Request-ID"] == "checkout-42.a:b"
    [access] = logs.of("taskhex.access")
    assert access["request_id"] == "checkout-42.a:b"


async def test_a_request_without_an_id_gets_a_fresh_one_each_time(
    client: httpx.AsyncClient, logs: Logs
) -> None:
    first = (await client.get("/health/live")).headers["X-Request-ID"]
    second = (await client.get("/health/live")).headers["X-Request-ID"]
    assert HEX_ID.fullmatch(first)
    assert first != second
    assert [line["request_id"] for line in logs.of("taskhex.access")] == [first, second]


@pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "<script>", ""])
async def test_an_implausible_request_id_is_replaced_not_echoed(
    client: httpx.AsyncClient, logs: Logs, sent: str
) -> None:
    answer = await client.get("/health/live", headers={"X-Request-ID": sent})
    assert HEX_ID.fullmatch(answer.headers["X-Request-ID"])
    assert sent not in logs.stream.getvalue() or not sent


async def test_each_request_writes_one_access_line_with_method_path_status_and_latency(
    client: httpx.AsyncClient, logs: Logs
) -> None:
    await client.get("/api/v1/tasks/12345?verbose=1")
    [access] = logs.of("taskhex.access")
    assert (access["method"], access["path"], access["status"]) == (
        "GET",
        "/api/v1/tasks/12345",
        404,
    )
    assert isinstance(access["duration_ms"], float)
    assert access["duration_ms"] >= 0
    assert access["level"] == "info"
    assert access["event"].startswith("GET /api/v1/tasks/12345 404 ")
    assert {"timestamp", "request_id"} <= access.keys()


async def test_every_line_logged_while_a_request_runs_carries_its_id(
    client: httpx.AsyncClient, services: Container, logs: Logs
) -> None:
    async def get_task(task_id: int) -> None:
        logging.getLogger("taskhex.somewhere").warning("looking for %s", task_id)
        raise NotFound("task", task_id)

    services.get_task.override(providers.Object(get_task))
    answer = await client.get("/api/v1/tasks/7", headers={"X-Request-ID": "r-1"})
    assert answer.status_code == 404
    [inside] = logs.of("taskhex.somewhere")
    assert (inside["event"], inside["request_id"], inside["level"]) == (
        "looking for 7",
        "r-1",
        "warning",
    )
    assert "request_id" not in structlog.contextvars.get_contextvars()


async def test_an_unexpected_error_quotes_the_request_id_in_the_log_the_body_and_the_header(
    client: httpx.AsyncClient, services: Container, logs: Logs
) -> None:
    async def stats(*_: object) -> None:
        raise RuntimeError("password=hunter2 leaked into an error")

    services.task_stats.override(providers.Object(stats))
    answer = await client.get("/api/v1/tasks/stats")
    assert answer.status_code == 500
    request_id = answer.headers["X-Request-ID"]
    assert answer.json()["correlation_id"] == request_id
    assert "hunter2" not in answer.text
    assert "Traceback" not in answer.text
    [error] = logs.of("taskhex.api")
    assert error["request_id"] == request_id
    assert "RuntimeError" in error["exception"]
    [access] = logs.of("taskhex.access")
    assert (access["status"], access["request_id"]) == (500, request_id)


async def test_the_console_format_is_a_readable_line_per_event(
    client: httpx.AsyncClient, configured: Callable[[str], io.StringIO]
) -> None:
    stream = configured("console")
    await client.get("/health/live", headers={"X-Request-ID": "abc"})
    [line] = [line for line in stream.getvalue().splitlines() if "taskhex.access" in line]
    assert "GET /health/live 200" in line
    assert "request_id=abc" in line
    assert not line.startswith("{")


def test_configuring_twice_replaces_the_handler_rather_than_adding_one(
    configured: Callable[[str], io.StringIO],
) -> None:
    configured("json")
    second = configured("json")
    logging.getLogger("taskhex.test").info("once")
    assert len(second.getvalue().splitlines()) == 1
    assert len(logging.getLogger().handlers) == 1


def test_an_unknown_log_level_is_refused() -> None:
    with pytest.raises(InvalidLogLevel, match="LOG_LEVEL must be one of"):
        configure_logging("LOUD")


async def test_the_middleware_leaves_other_scopes_alone() -> None:
    seen: list[dict[str, Any]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "lifespan"}
    await identified(AccessLog(inner))(scope, None, None)  # type: ignore[arg-type]
    assert seen == [{"type": "lifespan"}]


async def test_an_error_already_answered_is_not_raised_again_to_the_server(
    services: Container, logs: Logs
) -> None:
    async def stats(*_: object) -> None:
        raise RuntimeError("boom")

    services.task_stats.override(providers.Object(stats))
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)  # raises whatever the app raises
    key = bearer(await issue_key(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=key) as http:
        answer = await http.get("/api/v1/tasks/stats")
    assert answer.status_code == 500
    assert len(logs.of("taskhex.api")) == 1
