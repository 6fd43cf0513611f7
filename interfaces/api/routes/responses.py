"""JSON answers serialised once, without a second validation by FastAPI.

Tasks, the hottest answers, take a faster path still: the read model
(``TaskView``, a dataclass whose fields are ``TaskOut``'s, in the same order)
is serialised straight to JSON by a serializer that pydantic builds once for
it, without building a ``TaskOut`` first (bench/RESULTS.md). ``TaskOut`` stays
the documented schema; the check below keeps the two from drifting apart.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json

from application.pagination import Page
from application.views import TaskView
from interfaces.api.schemas.tasks import TaskOut

if tuple(f.name for f in dataclasses.fields(TaskView)) != tuple(TaskOut.model_fields):
    raise RuntimeError("TaskView and TaskOut must have the same fields in the same order")


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


@dataclasses.dataclass(frozen=True, slots=True)
class _TaskPageBody:
    """``TaskPage``'s fields, holding read models."""

    items: list[TaskView]
    limit: int
    next_cursor: str | None
    total: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class _TaskListBody:
    """``BulkCreated``'s fields, holding read models."""

    items: list[TaskView]


_TASK_JSON = TypeAdapter(TaskView)
_TASK_PAGE_JSON = TypeAdapter(_TaskPageBody)
_TASK_LIST_JSON = TypeAdapter(_TaskListBody)


def json(
    value: BaseModel | Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = value.model_dump_json().encode() if isinstance(value, BaseModel) else to_json(value)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def etag(version: int) -> str:
    return f'"{version}"'


def resource(
    model: type[BaseModel], view: Versioned, status: int = 200, location: str | None = None
) -> Response:
    """One resource from its read model, its version as ``ETag`` (and ``Location`` when created)."""
    headers = {"ETag": etag(view.version)}
    if location is not None:
        headers["Location"] = location
    return json(model.model_validate(view, from_attributes=True), status, headers)


def page(model: type[BaseModel], found: Page[Any], item: type[BaseModel]) -> Response:
    """A page of a collection in the contract's shape: items, limit, next_cursor, total."""
    return json(
        model(
            items=[item.model_validate(v, from_attributes=True) for v in found.items],
            limit=found.limit,
            next_cursor=found.next_cursor,
            total=found.total,
        )
    )


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


def task_list(views: list[TaskView], status: int = 200) -> Response:
    """``{"items": [Task, ...]}`` (``BulkCreated``), serialised straight from the read models."""
    return Response(
        _TASK_LIST_JSON.dump_json(_TaskListBody(views)),
        status_code=status,
        media_type="application/json",
    )
