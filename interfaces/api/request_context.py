"""Request ids and the access log, as a pure ASGI middleware (no response buffering).

Every HTTP request gets an id: the caller's ``X-Request-ID`` when it is a
plausible id (1..128 characters of letters, digits and ``._~:/+=-``), a fresh
one otherwise, so that nothing a client sends is echoed into logs unchecked.
The id is returned in the ``X-Request-ID`` response header, kept in
``request.state.request_id`` (the 500 handler quotes it) and bound to the
logging context, so every line logged while the request runs carries it. When
the request ends, one access line records method, path, status and latency.

``install`` puts it outside Starlette's error middleware, so that a 500 gets
the header and its log line the id. An error that has been answered that way
is not raised further: its traceback is already logged, with the request id,
and the server would only log it again without.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

import structlog
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER: Final = "X-Request-ID"
_HEADER_KEY: Final = REQUEST_ID_HEADER.lower().encode("latin-1")
_PLAUSIBLE_ID: Final = re.compile(r"[A-Za-z0-9._~:/+=-]{1,128}")

access_log = logging.getLogger("taskhex.access")


def request_id_of(scope: Scope) -> str:
    """The caller's request id when it is plausible, else a new one."""
    for key, value in scope.get("headers", ()):
        if key == _HEADER_KEY:
            candidate: str = value.decode("latin-1").strip()
            if _PLAUSIBLE_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def install(app: Starlette) -> None:
    """Wrap the app's whole middleware stack, its error middleware included."""
    build = app.build_middleware_stack

    def build_with_request_context() -> ASGIApp:
        return RequestContext(build())

    app.build_middleware_stack = build_with_request_context  # type: ignore[method-assign]


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (_HEADER_KEY, request_id.encode("latin-1"))
        # An error before the response starts is answered 500 by whoever catches it.
        status = 500
        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                headers = [h for h in message.get("headers", ()) if h[0].lower() != _HEADER_KEY]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                if not started_response:
                    raise
            finally:
                duration_ms = round((time.perf_counter() - started) * 1000, 3)
                method, path = scope["method"], scope["path"]
                access_log.info(
                    "%s %s %s %.1fms",
                    method,
                    path,
                    status,
                    duration_ms,
                    extra={
                        "method": method,
                        "path": path,
                        "status": status,
                        "duration_ms": duration_ms,
                    },
                )
