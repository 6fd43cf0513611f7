"""Examples for the OpenAPI document, by component schema name.

``openapi.document`` adds them to the schemas that have none of their
own and to every response and request body that uses those schemas. A schema
can also carry its examples itself (``json_schema_extra={"examples": [...]}``):
those win. A name that no schema has is ignored.
"""

from __future__ import annotations

from typing import Any, Final

_AT: Final = "2026-11-24T17:05:00Z"

TASK: Final[dict[str, Any]] = {
    "id": 1,
    "title": "Write the report",
    "description": None,
    "status": "todo",
    "priority": "medium",
    "due_date": "2026-12-01",
    "project_id": None,
    "assignee_id": None,
    "tags": ["docs", "q4"],
    "created_at": _AT,
    "updated_at": _AT,
    "completed_at": None,
    "version": 1,
}
USER: Final[dict[str, Any]] = {
    "id": 1,
    "email": "ada@example.org",
    "name": "Ada",
    "created_at": _AT,
    "updated_at": _AT,
}
PROJECT: Final[dict[str, Any]] = {
    "id": 1,
    "name": "Launch",
    "description": None,
    "owner_id": 1,
    "created_at": _AT,
    "updated_at": _AT,
    "task_counts": {"todo": 5, "in_progress": 3, "done": 4},
}
TAG: Final[dict[str, Any]] = {"name": "docs", "task_count": 12}
KEY: Final[dict[str, Any]] = {
    "id": 1,
    "name": "ci",
    "role": "writer",
    "prefix": "k3y9p2xq",
    "created_at": _AT,
    "last_used_at": None,
}


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return {"items": [item], "limit": 20, "next_cursor": "eyJrIjpbIjIwMjYiXX0", "total": 57}


BY_SCHEMA: Final[dict[str, dict[str, Any]]] = {
    "TaskOut": TASK,
    "TaskPage": _page(TASK),
    "TaskUpdate": {"status": "done", "due_date": None},
    "TaskStatsOut": {
        "total": 12,
        "by_status": {"todo": 5, "in_progress": 3, "done": 4},
        "by_priority": {"low": 2, "medium": 6, "high": 4},
        "overdue": 1,
        "completion_rate": 0.3333,
    },
    "UserOut": USER,
    "UserPage": _page(USER),
    "UserUpdate": {"name": "Ada Lovelace"},
    "ProjectOut": PROJECT,
    "ProjectPage": _page(PROJECT),
    "ProjectUpdate": {"description": "Everything for the launch", "owner_id": None},
    "TagOut": TAG,
    "TagPage": _page(TAG),
    "KeyOut": KEY,
    "KeyCreated": {**KEY, "secret": "thx_k3y9p2xq_" + "x" * 43},
    "KeyPage": _page(KEY),
    "HealthOut": {"status": "ok", "database": "ok"},
    "BulkCreated": {"items": [TASK]},
    "BulkUpdated": {"updated": 3},
    "BulkDeleted": {"deleted": 2},
}

_PROBLEMS: Final[dict[int, tuple[str, str, str]]] = {
    400: ("about:blank", "Bad Request", "The cursor is not valid for this query."),
    429: (
        "urn:taskhex:problem:rate-limited",
        "Too Many Requests",
        "The rate limit of this API key (600 requests per 60 s) is spent; retry in 17 s.",
    ),
    401: (
        "urn:taskhex:problem:unauthenticated",
        "Unauthorized",
        "the API key is missing, malformed, unknown or revoked",
    ),
    403: ("urn:taskhex:problem:forbidden", "Forbidden", "The role reader may not write here."),
    404: ("urn:taskhex:problem:not-found", "Not Found", "task 42 does not exist"),
    409: ("urn:taskhex:problem:conflict", "Conflict", "a user with this email already exists"),
    412: (
        "urn:taskhex:problem:version-mismatch",
        "Precondition Failed",
        "task 42 is at version 3; it does not match If-Match",
    ),
    415: (
        "about:blank",
        "Unsupported Media Type",
        "Content-Type must be application/json, not 'text/plain'",
    ),
    503: (
        "urn:taskhex:problem:not-ready",
        "Service Unavailable",
        "The database cannot be reached.",
    ),
}


def problem(status: int) -> dict[str, Any]:
    """An example problem document for ``status``."""
    if status == 422:
        return {
            "type": "urn:taskhex:problem:validation",
            "title": "Unprocessable Content",
            "status": 422,
            "detail": "The request is invalid: body.title",
            "errors": [
                {"loc": ["body", "title"], "msg": "Field required", "type": "missing"},
            ],
        }
    if status >= 500 and status not in _PROBLEMS:
        return {
            "type": "urn:taskhex:problem:internal",
            "title": "Internal Server Error",
            "status": 500,
            "detail": "An unexpected error occurred; quote 3f2b… when reporting it.",
            "correlation_id": "3f2b9c1e0d7a4b6c8e5f1a2b3c4d5e6f",
        }
    kind, title, detail = _PROBLEMS.get(status, ("about:blank", "Error", "The request failed."))
    return {"type": kind, "title": title, "status": status, "detail": detail}
