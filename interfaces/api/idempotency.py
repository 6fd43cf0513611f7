"""The ``Idempotency-Key`` header: a POST repeated with the same key takes effect once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Final, TypeVar

from fastapi import Header, Request
from fastapi.responses import Response

from application.idempotency_keys import IdempotencyKey, Reply
from application.ports import UnitOfWork
from interfaces.container import Container

R = TypeVar("R")

DESCRIPTION: Final = (
    "1..255 visible ASCII characters. The first request with a key is processed and "
    "its successful (2xx) response stored for at least 24 hours; a later request with "
    "the same key and the same JSON body gets that response again and changes nothing, "
    "even if the resource has changed or been deleted since. The same key with another "
    "body is a 422. While the first request is still in progress, a second one waits "
    "for it (up to 5 seconds) and replays its response, or gets a 409 if the wait is "
    "exceeded. Keys are scoped to the endpoint."
)

Key = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description=DESCRIPTION,
    ),
]

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
