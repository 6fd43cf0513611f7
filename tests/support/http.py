"""HTTP through the real app around a container: its lifespan included, in process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from interfaces.api.app import create_app
from interfaces.container import Container
from tests.support.keys import bearer, issue_key


@contextlib.asynccontextmanager
async def serving(
    container: Container, *, raise_app_exceptions: bool = True, key: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on ``container`` that sends ``key`` (by default, a new admin key
    of the ``default`` workspace); ``raise_app_exceptions=False`` answers what escapes the
    app as a client would see it (a 500) instead of raising it in the test."""
    app = create_app(container)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    secret = key if key is not None else await issue_key(container)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=bearer(secret)
        ) as http,
    ):
        yield http
