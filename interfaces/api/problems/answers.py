"""Problem+json answers (RFC 9457): every failure the API reports is built here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi.responses import Response
from pydantic import ValidationError
from pydantic_core import to_json
from starlette.exceptions import HTTPException

PROBLEM_JSON: Final = "application/problem+json"

_TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
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
    return Response(to_json(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_problem(errors: Sequence[Any]) -> Response:
    items = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
    fields = ", ".join(".".join(str(p) for p in item["loc"]) for item in items)
    return problem(422, f"The request is invalid: {fields}", kind="validation", errors=items)


def body_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors of a request body, located under ``body``."""
    return [
        {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in error.errors()
    ]


class BodyTooLarge(HTTPException):
    """A request body over ``MAX_BODY_BYTES``, found while it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")
        self.limit = limit


def too_large(error: BodyTooLarge) -> Response:
    return problem(413, str(error.detail), kind="body-too-large")
