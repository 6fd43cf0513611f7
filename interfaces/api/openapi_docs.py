"""Documented error answers, shared by the routes' OpenAPI descriptions."""

from __future__ import annotations

from typing import Any

from interfaces.api.schemas.common import Problem

Responses = dict[int | str, dict[str, Any]]


def problem(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "content": {"application/problem+json": {}},
        "description": description,
    }


ERRORS: Responses = {422: problem("Invalid input; `errors` names each bad field")}
BODY_ERRORS: Responses = {**ERRORS, 415: problem("The body is not JSON")}


def not_found(resource: str) -> Responses:
    return {404: problem(f"No such {resource}")}


def patch_errors(resource: str, conflict: str = "Too many concurrent writers; retry") -> Responses:
    return {
        **BODY_ERRORS,
        **not_found(resource),
        412: problem("If-Match does not name the current version"),
        409: problem(conflict),
    }
