"""A request's ``send``, watched: whether its answer has started, and with what status.

Once the answer has started, no middleware can answer in its place any more: an
error it meets after that can only be raised.
"""

from __future__ import annotations

from starlette.types import Message, Send


class WatchedSend:
    __slots__ = ("_send", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None

    @property
    def started(self) -> bool:
        return self.status is not None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)
