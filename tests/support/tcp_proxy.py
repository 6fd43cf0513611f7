"""A small TCP proxy on 127.0.0.1 that a test can cut, to stage a database outage.

It runs in the test's own event loop. ``cut("refuse")`` drops every open
connection and stops listening (a server that is down); ``cut("hang")`` drops
them and then accepts new ones without ever answering (a network that eats
packets); ``cut("reject")`` accepts and closes at once (a server restarting).
``restore()`` forwards again on the same port. ``reject_next`` connections
are rejected before forwarding resumes (a database waking up).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from sqlalchemy.engine import make_url

Mode = Literal["forward", "refuse", "hang", "reject"]


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.mode: Mode = "forward"
        self.port = 0
        self.accepted = 0
        self.reject_next = 0

    @classmethod
    async def to(cls, server_url: str) -> TcpProxy:
        url = make_url(server_url)
        proxy = cls(url.host or "127.0.0.1", url.port or 5432)
        await proxy._listen()
        return proxy

    def url_for(self, server_url: str) -> str:
        return make_url(server_url).set(port=self.port).render_as_string(hide_password=False)

    async def cut(self, mode: Mode) -> None:
        self.mode = mode
        if mode == "refuse" and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()

    async def restore(self) -> None:
        self.mode = "forward"
        if self._server is None:
            await self._listen()

    async def close(self) -> None:
        await self.cut("refuse")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self.mode == "reject" or self.reject_next > 0:
                self.reject_next = max(0, self.reject_next - 1)
                return
            if self.mode == "hang":
                await reader.read()  # until the client gives up
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
            self._writers.add(upstream_writer)
            try:
                await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
            finally:
                self._writers.discard(upstream_writer)
                upstream_writer.transport.abort()
        except OSError:
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
            self._tasks.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
