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
from interfaces.api.middleware.admission import Admission
from interfaces.api.middleware.authentication import Authentication
from interfaces.api.middleware.body_limit import BodyLimit
from interfaces.api.middleware.cors import StrictCORS
from interfaces.api.middleware.database_failures import DatabaseFailures
from interfaces.api.middleware.request_id import identified
from interfaces.api.middleware.security_headers import SecurityHeaders
from interfaces.api.openapi.document import complete
from interfaces.api.problems import handlers
from interfaces.api.rate_limits import RequestLimits
from interfaces.api.routes import docs, health, keys, projects, tags, task_batches, tasks, users
from interfaces.api.routing import Paths
from interfaces.container import Container, dispose

_NO_TELEMETRY: Final[TelemetryConfig] = {"tracing": False, "metrics": False, "logs": False}


class TaskhexAPI(FastAPI):
    """FastAPI, with the request id, access log, security headers and CORS around
    everything, and its document completed."""

    cors_origins: tuple[str, ...] = ()

    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, around Starlette's error middleware too: every answer, a 500
        # included, gets its request id, its access line, its security headers and,
        # for an allowed origin, its CORS headers; a preflight is answered before
        # authentication.
        inner = super().build_middleware_stack()
        if self.cors_origins:
            inner = StrictCORS(inner, self.cors_origins)
        return identified(AccessLog(SecurityHeaders(inner)))

    def openapi(self) -> dict[str, Any]:
        """The document served at ``/openapi.json`` and ``/docs``, completed once."""
        if self.openapi_schema is None:
            self.openapi_schema = complete(super().openapi())
        return self.openapi_schema


def create_app(container: Container | None = None) -> FastAPI:
    """Build the HTTP app around a container (a fresh one from the environment by default)."""
    services = container or Container()
    settings = services.settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.engine()
        try:
            flushing = settings.key_uses_flush_seconds
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
        telemetry=None if settings.telemetry else _NO_TELEMETRY,
        docs_url=None,
        redoc_url=None,
    )
    app.cors_origins = settings.cors_origins
    app.state.container = services
    handlers.install(app)
    # Innermost middleware: it must see a database failure before anything maps it.
    app.add_middleware(DatabaseFailures, attempts=lambda: services.settings().db_request_attempts)
    # Around it: a body over MAX_BODY_BYTES is a 413 before anything reads it whole.
    app.add_middleware(BodyLimit, limit=lambda: services.settings().max_body_bytes)
    # Outermost: who calls is decided (and counted) before anything reads the request.
    limits = None
    if settings.rate_limits:
        limits = RequestLimits(lambda: services.rate_limiter(), settings.rate_budgets)
    app.add_middleware(
        Authentication, authenticator=lambda: services.authenticator(), limits=limits
    )
    # Around everything a request costs: past MAX_IN_FLIGHT it waits its turn, or is a 503.
    if settings.max_in_flight:
        app.add_middleware(
            Admission, most=settings.max_in_flight, wait_seconds=settings.admission_wait_seconds
        )
    # Routes are matched in order: the busiest first.
    routers = [m.router for m in (tasks, task_batches, users, projects, tags, keys, health)]
    for router in routers:
        app.include_router(router)
    app.include_router(docs.router(app.openapi_url or "/openapi.json", f"{app.title} - Swagger UI"))
    app.state.paths = Paths(routers)
    return app
