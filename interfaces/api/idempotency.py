"""The ``Idempotency-Key`` header: a POST repeated with the same key takes effect once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from fastapi import Request
from fastapi.responses import Response

from application.idempotency_keys import IdempotencyKey, Reply
from application.ports import UnitOfWork
from interfaces.container import Container

R = TypeVar("R")

_REPLAYED_HEADERS: Final = ("location", "etag")


async def once(
    services: Container,
    request: Request,
    key: str,
    work: Callable[[UnitOfWork], Awaitable[R]],
    respond: Callable[[R], Response],
) -> Response:
    """Run ``work`` at most once for ``key`` and answer with its (stored) response."""
    body = json.loads(await request.body())
    scoped = IdempotencyKey(
        scope=f"{request.method} {request.url.path}",
        key=key,
        fingerprint=IdempotencyKey.fingerprint_of(body),
    )
    reply = await services.run_once()(scoped, work, lambda result: _reply(respond(result)))
    return Response(
        reply.body, reply.status, headers=dict(reply.headers), media_type="application/json"
    )


def _reply(response: Response) -> Reply:
    headers = tuple((k, v) for k, v in response.headers.items() if k in _REPLAYED_HEADERS)
    return Reply(response.status_code, bytes(response.body), headers)
