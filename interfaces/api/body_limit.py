"""A ceiling on the size of a request body (``MAX_BODY_BYTES``), as a pure ASGI middleware.

- A ``Content-Length`` over the limit is answered 413 at once: the app is not
  called and not a byte of the body is read.
- A body without a length (chunked) is counted while it streams in; the chunk
  that crosses the limit raises ``BodyTooLarge`` to whoever is reading. Raised
  inside a route, it is a Starlette ``HTTPException``, which FastAPI lets
  through its body parsing, and the handler installed here answers it; raised
  where no handler runs (a middleware reading the body itself), it reaches
  this middleware, which answers it while nothing has been sent.

Either way the answer is a 413 problem+json. The middleware sits inside the
request-id middleware, so a 413 carries a request id and gets an access line.
A request with a ``Content-Length`` within the limit (and no
``Transfer-Encoding``) goes through untouched: the server reads no more than
the declared length.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.api.dependencies import body_framing
from interfaces.api.problems.answers import BodyTooLarge, too_large


def install(app: FastAPI, limit: Callable[[], int]) -> None:
    """Add the middleware (between the request-id and the database-failure ones)."""
    app.add_middleware(BodyLimit, limit=limit)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit()
        length, streams = body_framing(scope)
        if length is not None and length > limit:
            await too_large(BodyTooLarge(limit))(scope, receive, send)
            return
        if length is not None and not streams:
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as error:
            if started:
                raise
            await too_large(error)(scope, receive, send)
