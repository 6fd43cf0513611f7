"""The HTTP app: routes, exception handlers and middleware around a container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp

from interfaces.api.key_uses import key_uses_recorded
from interfaces.api.middleware.access_log import AccessLog
from interfaces.api.middleware.authentication import Authentication
from interfaces.api.middleware.body_limit import BodyLimit
from interfaces.api.middleware.database_failures import DatabaseFailures
from interfaces.api.middleware.request_id import identified
from interfaces.api.openapi.document import complete
from interfaces.api.problems import handlers
from interfaces.api.routes import health, keys, projects, tags, task_batches, tasks, users
from interfaces.api.routing import Paths
from interfaces.container import Container, dispose

_NO_TELEMETRY: Final[TelemetryConfig] = {"tracing": False, "metrics": False, "logs": False}


class TaskhexAPI(FastAPI):
    """FastAPI, with the request id and access log around everything and its document completed."""

    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, around Starlette's error middleware too: every answer, a 500
        # included, gets its request id and its access line.
        return identified(AccessLog(super().build_middleware_stack()))

    def openapi(self) -> dict[str, Any]:
        """The document served at ``/openapi.json`` and ``/docs``, completed once."""
        if self.openapi_schema is None:
            self.openapi_schema = complete(super().openapi())
        return self.openapi_schema


def create_app(container: Container | None = None) -> FastAPI:
    """Build the HTTP app around a container (a fresh one from the environment by default)."""
    services = container or Container()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.engine()
        try:
            flushing = services.settings().key_uses_flush_seconds
            async with key_uses_recorded(services.authenticator(), flushing):
                yield
        finally:
            await dispose(services)

    app = TaskhexAPI(
        title="taskhex",
        version="1.0.0",
        summary="Task management over a hexagonal core.",
        lifespan=lifespan,
        # Off, FastAPI skips the look-up of the global OpenTelemetry providers that
        # it otherwise makes on every request (bench/RESULTS.md).
        telemetry=None if services.settings().telemetry else _NO_TELEMETRY,
    )
    app.state.container = services
    handlers.install(app)
    # Innermost middleware: it must see a database failure before anything maps it.
    app.add_middleware(DatabaseFailures, attempts=lambda: services.settings().db_request_attempts)
    # Around it: a body over MAX_BODY_BYTES is a 413 before anything reads it whole.
    app.add_middleware(BodyLimit, limit=lambda: services.settings().max_body_bytes)
    # Outermost: who calls is decided before anything reads the request.
    app.add_middleware(Authentication, authenticator=lambda: services.authenticator())
    # Routes are matched in order: the busiest first.
    routers = [m.router for m in (tasks, task_batches, users, projects, tags, keys, health)]
    for router in routers:
        app.include_router(router)
    app.state.paths = Paths(routers)
    return app
