"""PATCH bodies: validated by the route, not by FastAPI, so that 404 comes before 422."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from interfaces.api.problems.answers import body_errors
from interfaces.api.schemas.common import RequestBody


async def partial_update(
    request: Request, model: type[RequestBody], ensure_exists: Callable[[], Awaitable[Any]]
) -> dict[str, Any]:
    """The fields a PATCH body names, with their values.

    A body that ``model`` refuses is a 422 once ``ensure_exists`` has found the
    resource (it raises ``NotFound`` otherwise).
    """
    try:
        body = model.model_validate_json(await request.body() or b"null")
    except ValidationError as invalid:
        await ensure_exists()
        raise RequestValidationError(body_errors(invalid)) from None
    return body.named_fields()


def patch_openapi(model: type[RequestBody]) -> dict[str, Any]:
    """The ``requestBody`` that FastAPI cannot infer for a body read by ``partial_update``."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
