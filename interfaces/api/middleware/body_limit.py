"""A ceiling on the size of a request body (``MAX_BODY_BYTES``); over it, a 413 problem+json.

A declared ``Content-Length`` over the limit is answered at once: the app does
not run, no byte is read. A body without a length to trust is counted as it
streams in; the chunk that crosses the limit raises ``BodyTooLarge`` to its
reader, answered by the exception handler in a route and here elsewhere (a
middleware reading the body), while nothing has been sent.

Ours, not FastAPI's ``max_body_size``: Starlette's limit runs the app on a
declared length over it (a DELETE would take effect, then be answered 413), and
answers a 413 raised outside a route in plain text.
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
