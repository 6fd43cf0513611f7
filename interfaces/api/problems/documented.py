"""The error answers routes declare to OpenAPI (``responses=``), each worded once.

``openapi.document`` gives every one of them the ``Problem`` schema and an example.
"""

from __future__ import annotations

from typing import Any, Final

from interfaces.api.problems.answers import PROBLEM_JSON
from interfaces.api.schemas.common import Problem

Responses = dict[int | str, dict[str, Any]]


def documented(description: str) -> dict[str, Any]:
    """A problem+json answer, as ``responses=`` declares it."""
    return {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}


INVALID_INPUT: Final = "Invalid input; `errors` names each bad field"
ERRORS: Responses = {422: documented(INVALID_INPUT)}
BODY_ERRORS: Responses = {**ERRORS, 415: documented("The body is not JSON")}
IN_FLIGHT: Responses = {409: documented("A request with this Idempotency-Key is in progress")}


def not_found(resource: str) -> Responses:
    return {404: documented(f"No such {resource}")}


def patch_errors(resource: str, conflict: str = "Too many concurrent writers; retry") -> Responses:
    return {
        **BODY_ERRORS,
        **not_found(resource),
        412: documented("If-Match does not name the current version"),
        409: documented(conflict),
    }
