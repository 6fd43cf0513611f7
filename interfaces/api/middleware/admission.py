"""A bound on the ``/api/v1`` requests a worker runs at once (``MAX_IN_FLIGHT``).

A request past the bound waits for a place, in arrival order, at most
``ADMISSION_WAIT_SECONDS``; one that gets none in time is a 503 ``overloaded``
with ``Retry-After: 1``, before anything reads it. Without a bound every
request is let in, they all share the pool and the loop, and under overload the
wait of each grows with the number of clients (bench/RESULTS.md: the p99 of GET
by id at 256 connections). The health checks are never held back.
"""

from __future__ import annotations

import asyncio
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from interfaces.api.middleware.authentication import is_protected
from interfaces.api.problems.answers import problem

RETRY_AFTER_SECONDS: Final = 1


class Admission:
    def __init__(self, app: ASGIApp, most: int, wait_seconds: float) -> None:
        self.app = app
        self._places = asyncio.Semaphore(most)
        self._wait_seconds = wait_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not is_protected(path):
            await self.app(scope, receive, send)
            return
        if self._places.locked():
            try:
                async with asyncio.timeout(self._wait_seconds):
                    await self._places.acquire()
            except TimeoutError:
                await problem(
                    503,
                    "The service has more requests than it can run at once; retry shortly.",
                    kind="overloaded",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )(scope, receive, send)
                return
        else:
            await self._places.acquire()
        try:
            await self.app(scope, receive, send)
        finally:
            self._places.release()
