"""JSON answers serialised once, without a second validation by FastAPI.

Tasks, the hottest answers, take a faster path still: the read model
(``TaskView``, a dataclass whose fields are ``TaskOut``'s, in the same order)
is serialised straight to JSON by a serializer that pydantic builds once for
it, without building a ``TaskOut`` first (about 4x less work a task than
validating a ``TaskOut`` and dumping it; pydantic-core's schema-less
``to_json`` would be slower than both). ``TaskOut`` stays the documented
schema; the check below keeps the two from drifting apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json

from application.pagination import Page
from application.tasks.views import TaskView
from interfaces.api.schemas.tasks import TaskOut

V = TypeVar("V")

if tuple(f.name for f in dataclasses.fields(TaskView)) != tuple(TaskOut.model_fields):
    raise RuntimeError("TaskView and TaskOut must have the same fields in the same order")


@dataclasses.dataclass(frozen=True, slots=True)
class _TaskPageBody:
    """``TaskPage``'s fields, holding read models."""

    items: list[TaskView]
    limit: int
    next_cursor: str | None
    total: int | None


_TASK_JSON = TypeAdapter(TaskView)
_TASK_PAGE_JSON = TypeAdapter(_TaskPageBody)


def json(
    value: BaseModel | Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = value.model_dump_json().encode() if isinstance(value, BaseModel) else to_json(value)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def etag(version: int) -> str:
    return f'"{version}"'


def versioned(
    body: BaseModel, version: int, status: int = 200, location: str | None = None
) -> Response:
    """A single resource, with its version as ``ETag`` (and ``Location`` when created)."""
    headers = {"ETag": etag(version)}
    if location is not None:
        headers["Location"] = location
    return json(body, status, headers)


def task_response(
    view: TaskView, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        _TASK_JSON.dump_json(view),
        status_code=status,
        media_type="application/json",
        headers={"ETag": etag(view.version), **(headers or {})},
    )


def task_page(found: Page[TaskView]) -> Response:
    """A page of tasks (``TaskPage``), serialised straight from the read models."""
    body = _TaskPageBody(found.items, found.limit, found.next_cursor, found.total)
    return Response(_TASK_PAGE_JSON.dump_json(body), media_type="application/json")


def page(model: type[BaseModel], found: Page[V], item: Callable[[V], BaseModel]) -> Response:
    """A page of a collection in the contract's shape: items, limit, next_cursor, total."""
    return json(
        model(
            items=[item(v) for v in found.items],
            limit=found.limit,
            next_cursor=found.next_cursor,
            total=found.total,
        )
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _TaskListBody:
    """``BulkCreated``'s fields, holding read models."""

    items: list[TaskView]


_TASK_LIST_JSON = TypeAdapter(_TaskListBody)


def task_list(views: list[TaskView], status: int = 200) -> Response:
    """``{"items": [Task, ...]}`` (``BulkCreated``), serialised straight from the read models."""
    return Response(
        _TASK_LIST_JSON.dump_json(_TaskListBody(views)),
        status_code=status,
        media_type="application/json",
    )
