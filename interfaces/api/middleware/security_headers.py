"""Headers every answer carries, whatever answered it (a route, a middleware, a 500).

- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer`` on every answer;
- ``Cache-Control: no-store`` on every answer under ``/api/v1``, which answers
  authenticated requests only: no cache between the client and the service
  keeps a workspace's data (or a refusal) for someone else.

The ``Server`` header is uvicorn's, switched off where it is run
(``taskhex serve``); ``/docs`` has a content security policy of its own
(``routes.docs``).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.api.middleware.authentication import is_protected

_EVERY: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_AUTHENTICATED: Final = (*_EVERY, (b"cache-control", b"no-store"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        protected = is_protected(path)
        added = _AUTHENTICATED if protected else _EVERY

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != b"cache-control" or not protected
                ]
                message["headers"] = [*kept, *added]
            await send(message)

        await self.app(scope, receive, sending)
