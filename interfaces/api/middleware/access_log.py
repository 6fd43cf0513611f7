"""One access line a request, and the request id in every line logged while it runs.

The line (``taskhex.access``) records method, path, status and duration_ms; the
id is bound to structlog's context variables for the length of the request.
This runs outside Starlette's error middleware, so that a 500 has its line too.
An error that has been answered that way is not raised further: its traceback
is already logged, with the request id, and the server would only log it again
without.
"""

from __future__ import annotations

import time
from typing import Final

import structlog
from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Receive, Scope, Send

from interfaces.api.middleware.sending import WatchedSend

ACCESS_LOGGER: Final = "taskhex.access"


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer = WatchedSend(send)
        began = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=correlation_id.get()):
            try:
                await self.app(scope, receive, answer)
            except Exception:
                if not answer.started:
                    raise
            finally:
                # An error before the answer started is answered 500 by whoever catches it.
                method, path = scope["method"], scope["path"]
                status = 500 if answer.status is None else answer.status
                duration_ms = round((time.perf_counter() - began) * 1000, 3)
                structlog.get_logger().info(
                    f"{method} {path} {status} {duration_ms:.1f}ms",
                    logger=ACCESS_LOGGER,
                    method=method,
                    path=path,
                    status=status,
                    duration_ms=duration_ms,
                )
