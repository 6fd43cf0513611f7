"""Every failure becomes an RFC 9457 problem+json answer, translated here once."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

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
from interfaces.api.request_context import REQUEST_ID_HEADER
from interfaces.api.responses import dump_json

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("taskhex.api")

_TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": f"urn:taskhex:problem:{kind}" if kind else "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(dump_json(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_problem(errors: Sequence[Any]) -> Response:
    items = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
    fields = ", ".join(".".join(str(p) for p in item["loc"]) for item in items)
    return problem(422, f"The request is invalid: {fields}", kind="validation", errors=items)


def body_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors of a request body, located under ``body``."""
    return [
        {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in error.errors()
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, error: RequestValidationError) -> Response:
        return validation_problem(error.errors())

    @app.exception_handler(InvalidQuery)
    async def _invalid_query(_: Request, error: InvalidQuery) -> Response:
        return validation_problem(
            [
                {"loc": ["query", v.field], "msg": v.message, "type": v.code}
                for v in error.violations
            ]
        )

    @app.exception_handler(DomainError)
    async def _broken_rule(_: Request, error: DomainError) -> Response:
        return validation_problem(
            [
                {"loc": ["body", *v.location], "msg": v.message, "type": v.code}
                for v in error.violations
            ]
        )

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, error: NotFound) -> Response:
        return problem(404, str(error), kind="not-found")

    @app.exception_handler(PreconditionFailed)
    async def _precondition_failed(_: Request, error: PreconditionFailed) -> Response:
        return problem(412, str(error), kind="version-mismatch")

    @app.exception_handler(ConcurrentUpdate)
    async def _conflict(_: Request, error: ConcurrentUpdate) -> Response:
        return problem(409, str(error), kind="concurrent-update", headers={"Retry-After": "1"})

    @app.exception_handler(InvalidCursor)
    async def _bad_cursor(_: Request, error: InvalidCursor) -> Response:
        return problem(400, str(error), kind="invalid-cursor")

    @app.exception_handler(RequestInFlight)
    async def _in_flight(_: Request, error: RequestInFlight) -> Response:
        return problem(409, str(error), kind="request-in-flight", headers={"Retry-After": "1"})

    @app.exception_handler(Conflict)
    async def _taken(_: Request, error: Conflict) -> Response:
        return problem(409, str(error), kind="conflict")

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> Response:
        if error.status_code == 400 and isinstance(error.__cause__, ValueError | RecursionError):
            # FastAPI's answer to a body it could not decode (not UTF-8, nested too
            # deep): malformed JSON, which the contract makes a 422 like any other.
            return validation_problem(
                [{"loc": ["body"], "msg": "The body is not valid JSON", "type": "json_invalid"}]
            )
        return problem(error.status_code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        # The request id (request_context) is the correlation id: the log line,
        # the body and the X-Request-ID header quote the same value.
        correlation_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
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
            headers={REQUEST_ID_HEADER: correlation_id},
            correlation_id=correlation_id,
        )
