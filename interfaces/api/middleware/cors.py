"""Browser pages of other origins (CORS): Starlette's middleware, stricter, from ``CORS_ORIGINS``.

Only the listed origins get CORS headers, exact matches (no wildcard, no
credentials: the API authenticates with a bearer header, not cookies). A
preflight is answered here, before authentication could refuse it; it allows
the methods the API has and the request headers it reads (``Authorization``,
``Content-Type``, ``If-Match``, ``Idempotency-Key``; Starlette adds the
CORS-safelisted ones, which need no permission). Every other answer to an
allowed origin exposes the headers a client must read: the 401s and the 429s
too, since this runs outside authentication and rate limits.

Stricter than Starlette's own: an origin that is not listed gets no
``Access-Control-*`` header at all (Starlette sends it the exposed headers
and, on a preflight, the allowed methods), and a refused preflight is a 400
problem+json like every other error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Send

from interfaces.api.middleware.request_id import REQUEST_ID_HEADER
from interfaces.api.problems.answers import problem

METHODS: Final = ("GET", "HEAD", "POST", "PATCH", "DELETE")
REQUEST_HEADERS: Final = ("Authorization", "Content-Type", "If-Match", "Idempotency-Key")
EXPOSED_HEADERS: Final = (
    "ETag",
    "Location",
    REQUEST_ID_HEADER,
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
)


class StrictCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=tuple(origins),
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=False,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            return problem(
                400,
                "This origin may not call the API from a browser.",
                kind="cors-refused",
                headers={"Vary": "Origin"},
            )
        answer = super().preflight_response(request_headers)
        if answer.status_code == 200:
            return answer
        cors = {
            name: value
            for name, value in answer.headers.items()
            if name.startswith("access-control-") or name == "vary"
        }
        refused = bytes(answer.body).decode()  # "Disallowed CORS method, headers"
        return problem(400, f"{refused}.", kind="cors-refused", headers=cors)

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            await super().send(message, send, request_headers)
            return
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (b"vary", b"Origin")]
        await send(message)
