"""A ceiling on the size of a request body (``MAX_BODY_BYTES``), as a pure ASGI middleware.

- A ``Content-Length`` over the limit is answered 413 at once: the app is not
  called and not a byte of the body is read.
- A body without a length (chunked) is counted while it streams in; the chunk
  that crosses the limit raises ``BodyTooLarge`` to whoever is reading. Raised
  inside a route, it is a Starlette ``HTTPException``, which FastAPI lets
  through its body parsing, and its exception handler answers it; raised
  where no handler runs (a middleware reading the body itself), it reaches
  this middleware, which answers it while nothing has been sent.

Either way the answer is a 413 problem+json, with a request id and an access
line (those middlewares are outside this one). A request with a
``Content-Length`` within the limit (and no ``Transfer-Encoding``) goes through
untouched: the server reads no more than the declared length.

Kept rather than FastAPI's ``max_body_size`` (Starlette's body limit): that one
runs the app on a declared length over the limit and refuses only when the body
is read or the answer starts (a DELETE would take effect, then be answered
413), and answers a 413 raised outside a route (here: the database-failure
middleware reading a body it may replay) in plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.api.dependencies import body_framing
from interfaces.api.middleware.sending import WatchedSend
from interfaces.api.problems.answers import BodyTooLarge, too_large


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

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        answer = WatchedSend(send)
        try:
            await self.app(scope, counting_receive, answer)
        except BodyTooLarge as error:
            if answer.started:
                raise
            await too_large(error)(scope, receive, send)
