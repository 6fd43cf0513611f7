"""Liveness and readiness, checked from outside over HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from opentelemetry import trace

from interfaces.api.app import create_app
from tests.support.databases import make_container
from tests.support.http import serving
from tests.support.keys import unknown_key

SECRET = "s3cret-Passw0rd"


async def test_liveness_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "application/json"
    assert response.json() == {"status": "ok"}


async def test_readiness_answers_ok_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_a_wrong_method_on_a_health_route_is_a_405_problem(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/health/live", "/health/ready"):
        response = await client.post(path)

        assert response.status_code == 405
        assert response.headers["content-type"].split(";")[0] == "application/problem+json"
        assert response.json()["status"] == 405


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(params=["postgres", "sqlite"])
async def unreachable(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app whose database cannot be reached (nothing listens, no such folder)."""
    if request.param == "postgres":
        url = f"postgresql://taskhex:{SECRET}@127.0.0.1:{_closed_port()}/taskhex"
    else:
        url = f"sqlite:///{tmp_path}/{SECRET}/missing/taskhex.db"
    async with serving(make_container(url, db_connect_timeout=1.0), key=unknown_key()) as http:
        yield http


async def test_liveness_does_not_touch_the_database(unreachable: httpx.AsyncClient) -> None:
    response = await unreachable.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_is_a_503_problem_without_secrets_when_the_database_is_down(
    unreachable: httpx.AsyncClient,
) -> None:
    response = await unreachable.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert all(isinstance(body[key], str) and body[key] for key in ("type", "title", "detail"))
    for leak in (SECRET, "postgresql://", "sqlite:///", "127.0.0.1", "Traceback"):
        assert leak not in response.text


@pytest.mark.parametrize("enabled", [False, True])
async def test_opentelemetry_providers_are_looked_up_only_with_telemetry_on(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    looked_up: list[object] = []
    real = trace.get_tracer_provider

    def counting() -> trace.TracerProvider:
        looked_up.append(1)
        return real()

    monkeypatch.setattr(trace, "get_tracer_provider", counting)
    app = create_app(make_container(sqlite_url, telemetry=enabled))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/health/live")).status_code == 200

    assert bool(looked_up) is enabled
