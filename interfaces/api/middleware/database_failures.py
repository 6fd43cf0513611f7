"""A request whose database failed: run again when that is safe, else a 503.

- A read (GET, HEAD, OPTIONS) whose connection died runs again, up to
  ``DB_REQUEST_ATTEMPTS`` times in all, with exponential backoff and jitter.
- A write runs again only when its endpoint declares ``Idempotency-Key`` and
  the request carries one: the second run replays the first. Any other write
  whose connection died may or may not have been committed: 503 with
  ``Retry-After``, and the client, who knows, decides.
- A database out of reach (connection attempts ran out) or a statement past
  its timeout: 503 with ``Retry-After`` at once.
- No pooled connection free within ``DB_POOL_TIMEOUT``: the service is at
  capacity and the request was not run: 503 ``database-busy`` with
  ``Retry-After: 1``, not a database that cannot be reached.

It runs inside Starlette's error middleware, to see the exception before it is
a 500, and retries only while nothing of the answer has been sent; the body of
a request that may run again is read once and replayed to each run.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.database.failures import DatabaseFailure, classify, describe
from infrastructure.database.retries import again_after_lost
from interfaces.api.dependencies import IDEMPOTENCY_HEADER, carries_body
from interfaces.api.middleware.sending import WatchedSend
from interfaces.api.problems.answers import problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_SECONDS = 2

logger = logging.getLogger("taskhex.api.database")

_DETAILS = {
    DatabaseFailure.LOST: (
        "The connection to the database was lost; the request may or may not have "
        "taken effect. Retry it, with an Idempotency-Key where the endpoint takes one."
    ),
    DatabaseFailure.UNREACHABLE: "The database cannot be reached right now; retry later.",
    DatabaseFailure.TIMED_OUT: "The database did not answer in time; retry later.",
    DatabaseFailure.BUSY: (
        "Every database connection is in use; the request was not run. Retry it shortly."
    ),
}
_RETRY_AFTER = {DatabaseFailure.BUSY: 1}


class DatabaseFailures:
    def __init__(self, app: ASGIApp, attempts: Callable[[], int]) -> None:
        self.app = app
        self._attempts = attempts
        self._keyed: dict[int, bool] = {}  # by id(): routes are not hashable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replayable = self._may_run_twice(scope)
        body = await _read_body(receive) if replayable and carries_body(scope) else b""
        answer = WatchedSend(send)

        def worth_another_run(error: BaseException) -> bool:
            return not answer.started and classify(error) is DatabaseFailure.LOST

        async def run() -> None:
            await self.app(scope, _replay(body, receive) if replayable else receive, answer)

        attempts = self._attempts() if replayable else 1
        try:
            try:
                await run()
            except Exception as error:
                if attempts == 1 or not worth_another_run(error):
                    raise
                # The first run failed; only now is a retry policy worth building.
                await again_after_lost(
                    attempts,
                    worth_it=lambda _: not answer.started,
                    on_retry=functools.partial(_log_retry, scope),
                )(_after(error, run))
        except Exception as error:
            unavailable = unavailable_answer(scope, error)
            if unavailable is None or answer.started:
                raise
            await unavailable(scope, receive, send)

    def _may_run_twice(self, scope: Scope) -> bool:
        if scope["method"] in SAFE_METHODS:
            return True
        headers = {key.decode("latin-1").lower() for key, _ in scope.get("headers", ())}
        if IDEMPOTENCY_HEADER not in headers:
            return False
        app = scope.get("app")
        for route in app.router.routes if isinstance(app, FastAPI) else ():
            if route.matches(scope)[0] is Match.FULL:
                if not isinstance(route, APIRoute):
                    return False
                if id(route) not in self._keyed:
                    self._keyed[id(route)] = _declares_idempotency_key(route)
                return self._keyed[id(route)]
        return False


def unavailable_answer(scope: Scope, error: BaseException) -> Response | None:
    """The 503 for a database failure (logged), or ``None`` when ``error`` is not one."""
    failure = classify(error)
    if failure is None:
        return None
    logger.warning(
        "%s %s answered 503: database %s (%s)",
        scope["method"],
        scope["path"],
        failure.value,
        describe(error),
    )
    return problem(
        503,
        _DETAILS[failure],
        kind=f"database-{failure.value.replace('_', '-')}",
        headers={"Retry-After": str(_RETRY_AFTER.get(failure, RETRY_AFTER_SECONDS))},
    )


def _declares_idempotency_key(route: APIRoute) -> bool:
    """Whether the endpoint (or one of its dependencies) reads ``Idempotency-Key``."""
    return any(
        isinstance(field.field_info, params.Header)
        and field.alias.lower().replace("_", "-") == IDEMPOTENCY_HEADER
        for field in get_flat_params(route.dependant)
    )


def _after(failure: Exception, run: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """``run``, as if its first call had already been made and raised ``failure``."""
    made = False

    async def again() -> None:
        nonlocal made
        if not made:
            made = True
            raise failure
        await run()

    return again


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _log_retry(scope: Scope, error: BaseException, attempt: int) -> None:
    logger.warning(
        "%s %s lost its database connection (%s); running it again (attempt %d)",
        scope["method"],
        scope["path"],
        describe(error),
        attempt,
    )
