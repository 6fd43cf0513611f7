"""Every failure becomes a problem+json answer: the app's exception handlers, installed once."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Final

from asgi_correlation_id import correlation_id as request_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ExceptionHandler

from application.errors import (
    ConcurrentUpdate,
    Conflict,
    InvalidCursor,
    InvalidQuery,
    NotFound,
    PreconditionFailed,
    RequestInFlight,
)
from domain.errors import DomainError
from interfaces.api.problems.answers import BodyTooLarge, problem, too_large, validation_problem

logger = logging.getLogger("taskhex.api")

_RETRY_SOON: Final = {"Retry-After": "1"}
# An application error answered by its status and problem type, its message the detail.
_ANSWERS: Final[dict[type[Exception], tuple[int, str, Mapping[str, str] | None]]] = {
    NotFound: (404, "not-found", None),
    PreconditionFailed: (412, "version-mismatch", None),
    ConcurrentUpdate: (409, "concurrent-update", _RETRY_SOON),
    InvalidCursor: (400, "invalid-cursor", None),
    RequestInFlight: (409, "request-in-flight", _RETRY_SOON),
    Conflict: (409, "conflict", None),
}


def _answering(status: int, kind: str, headers: Mapping[str, str] | None) -> ExceptionHandler:
    async def answer(_: Request, error: Exception) -> Response:
        return problem(status, str(error), kind=kind, headers=headers)

    return answer


def install(app: FastAPI) -> None:
    for error, (status, kind, headers) in _ANSWERS.items():
        app.add_exception_handler(error, _answering(status, kind, headers))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, error: RequestValidationError) -> Response:
        return validation_problem(error.errors())

    @app.exception_handler(DomainError)
    async def _broken_rule(_: Request, error: DomainError) -> Response:
        # A query parameter the use case cannot honour, or a rule the body breaks.
        where = "query" if isinstance(error, InvalidQuery) else "body"
        return validation_problem(
            [
                {"loc": [where, *v.location], "msg": v.message, "type": v.code}
                for v in error.violations
            ]
        )

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_: Request, error: BodyTooLarge) -> Response:
        return too_large(error)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400 and isinstance(error.__cause__, ValueError | RecursionError):
            # FastAPI's answer to a body it could not decode (not UTF-8, nested too
            # deep): malformed JSON, which the contract makes a 422 like any other.
            return validation_problem(
                [{"loc": ["body"], "msg": "The body is not valid JSON", "type": "json_invalid"}]
            )
        if error.status_code == 405:
            allowed = ", ".join(request.app.state.paths.allowed(request.scope))
            detail = f"{request.method} is not allowed here; this path takes {allowed}"
            return problem(405, detail, headers={"Allow": allowed})
        return problem(error.status_code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        # The request id (middleware.request_id) is the correlation id: the log
        # line, the body and the X-Request-ID header quote the same value.
        correlation_id = request_id.get() or uuid.uuid4().hex
        logger.exception(
            "unhandled error %s on %s %s",
            correlation_id,
            request.method,
            request.url.path,
            extra={"request_id": correlation_id},
        )
        return problem(
            500,
            f"An unexpected error occurred; quote {correlation_id} when reporting it.",
            kind="internal",
            correlation_id=correlation_id,
        )
