"""The ``Idempotency-Key`` header: a POST repeated with the same key takes effect once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response

from application.idempotency_keys import IdempotencyKey, Reply
from application.ports import UnitOfWork
from interfaces.container import Container

C = TypeVar("C", contravariant=True)
R = TypeVar("R", covariant=True)
V = TypeVar("V")
W = TypeVar("W")

_REPLAYED_HEADERS: Final = ("location", "etag")


class Handler(Protocol[C, R]):
    """A use case that runs in a unit of work of its own, or in one it is given."""

    async def __call__(self, command: C, /) -> R: ...

    async def within(self, uow: UnitOfWork, command: C, /) -> R: ...


async def once(
    services: Container,
    request: Request,
    key: str | None,
    handler: Handler[W, V],
    command: W,
    respond: Callable[[V], Response],
) -> Response:
    """Run ``command``; with a key, at most once for it, answering with the stored response."""
    if key is None:
        return respond(await handler(command))
    body = json.loads(await request.body())
    scoped = IdempotencyKey(
        scope=f"{request.method} {request.url.path}",
        key=key,
        fingerprint=IdempotencyKey.fingerprint_of(body),
    )
    reply = await services.run_once()(
        scoped, lambda uow: handler.within(uow, command), lambda result: _reply(respond(result))
    )
    return Response(
        reply.body, reply.status, headers=dict(reply.headers), media_type="application/json"
    )


def _reply(response: Response) -> Reply:
    headers = tuple((k, v) for k, v in response.headers.items() if k in _REPLAYED_HEADERS)
    return Reply(response.status_code, bytes(response.body), headers)
