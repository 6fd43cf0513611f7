"""Request bodies that FastAPI does not validate by itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from interfaces.api.problems.answers import body_errors

M = TypeVar("M", bound=BaseModel)


async def partial_update(
    request: Request, model: type[M], ensure_exists: Callable[[], Awaitable[Any]]
) -> tuple[M, dict[str, Any]]:
    """Validate a PATCH body; return it and the fields it names.

    The body is validated here rather than by FastAPI so that a missing
    resource is a 404 even when the body is also bad (404 before 422).
    """
    try:
        body = model.model_validate_json(await request.body() or b"null")
    except ValidationError as invalid:
        await ensure_exists()
        raise RequestValidationError(body_errors(invalid)) from None
    return body, {name: getattr(body, name) for name in body.model_fields_set}


def patch_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The ``requestBody`` that FastAPI cannot infer for a body read by ``partial_update``."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
