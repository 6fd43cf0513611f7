"""Task endpoints: HTTP shape in, command or query to a use case, HTTP shape out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from application.queries import SortKey, TaskFilter, TaskSort
from application.tasks.create_task import CreateTask
from application.tasks.list_tasks import ListTasks
from application.tasks.update_task import UpdateTask
from application.views import TaskView
from domain.tasks import TaskChanges
from domain.values import Priority, Status
from interfaces.api.dependencies import (
    MAX_ID,
    ExpectedVersions,
    Id,
    IdempotencyKey,
    JsonBody,
    Paging,
    Services,
    sort_pattern,
)
from interfaces.api.problems.documented import (
    BODY_ERRORS,
    ERRORS,
    IN_FLIGHT,
    not_found,
    patch_errors,
)
from interfaces.api.routes import idempotency, responses
from interfaces.api.routes.partial_updates import partial_update, patch_openapi
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.common import NO_NUL
from interfaces.api.schemas.tasks import (
    DueDate,
    PriorityName,
    StatusName,
    TaskCreate,
    TaskOut,
    TaskPage,
    TaskStatsOut,
    TaskUpdate,
)

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], route_class=FixedPathsFirst)

NOT_FOUND = not_found("task")


async def task_filter(
    status: Annotated[list[StatusName] | None, Query(description="repeatable")] = None,
    priority: Annotated[list[PriorityName] | None, Query(description="repeatable")] = None,
    project_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    assignee_id: Annotated[int | None, Query(gt=0, le=MAX_ID)] = None,
    tag: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
    q: Annotated[
        str | None,
        Query(max_length=500, pattern=NO_NUL, description="substring of title or description"),
    ] = None,
    # DueDate: only YYYY-MM-DD, as in a body (a bare date would take "0" as 1970-01-01).
    due_before: Annotated[DueDate | None, Query(description="inclusive")] = None,
    due_after: Annotated[DueDate | None, Query(description="inclusive")] = None,
) -> TaskFilter:
    """The filters shared by the list and the stats."""
    return TaskFilter(
        statuses=frozenset(Status(s) for s in status or ()),
        priorities=frozenset(Priority(p) for p in priority or ()),
        project_id=project_id,
        assignee_id=assignee_id,
        tag=tag,
        q=q,
        due_before=due_before,
        due_after=due_after,
    )


Filters = Annotated[TaskFilter, Depends(task_filter)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    summary="Create a task",
    responses={**BODY_ERRORS, **IN_FLIGHT},
    dependencies=[JsonBody],
)
async def create_task(
    body: TaskCreate, request: Request, services: Services, idempotency_key: IdempotencyKey = None
) -> Response:
    def created(view: TaskView) -> Response:
        return responses.task_response(view, 201, {"Location": f"{router.prefix}/{view.id}"})

    return await idempotency.once(
        services, request, idempotency_key, services.create_task(), CreateTask.of(body), created
    )


@router.get(
    "",
    response_model=TaskPage,
    summary="List tasks",
    description="Filters combine with AND; repeated `status`/`priority` values with OR.",
    responses=ERRORS,
)
async def list_tasks(
    services: Services,
    filters: Filters,
    paging: Paging,
    sort: Annotated[
        str,
        Query(
            max_length=50,
            pattern=sort_pattern(SortKey),
            description="created_at, updated_at, due_date, priority or title; '-' for descending",
        ),
    ] = "-created_at",
) -> Response:
    page = await services.list_tasks()(ListTasks(filters, TaskSort.parse(sort), paging))
    return responses.task_page(page)


@router.get("/stats", response_model=TaskStatsOut, summary="Count tasks", responses=ERRORS)
async def task_stats(services: Services, filters: Filters) -> Response:
    stats = await services.task_stats()(filters)
    return responses.json(
        {
            "total": stats.total,
            "by_status": stats.by_status,
            "by_priority": stats.by_priority,
            "overdue": stats.overdue,
            "completion_rate": stats.completion_rate,
        }
    )


@router.get(
    "/{task_id}",
    response_model=TaskOut,
    summary="Get a task",
    description="The `ETag` header carries the task's version.",
    responses={**ERRORS, **NOT_FOUND},
)
async def get_task(task_id: Id, services: Services) -> Response:
    return responses.task_response(await services.get_task()(task_id))


@router.patch(
    "/{task_id}",
    response_model=TaskOut,
    summary="Change some fields of a task",
    description=(
        "Only the fields present change; `null` clears a nullable field. With "
        '`If-Match: "N"` the change applies only at version N (else 412, nothing '
        "changes). Checks run in this order: 404, then 422, then 412."
    ),
    responses=patch_errors("task"),
    openapi_extra=patch_openapi(TaskUpdate),
    dependencies=[JsonBody],
)
async def update_task(
    task_id: Id, request: Request, services: Services, expected: ExpectedVersions
) -> Response:
    fields = await partial_update(request, TaskUpdate, lambda: services.get_task()(task_id))
    view = await services.update_task()(
        UpdateTask(task_id, TaskChanges(**fields), expected_versions=expected)
    )
    return responses.task_response(view)


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a task",
    responses={**ERRORS, **NOT_FOUND},
)
async def delete_task(task_id: Id, services: Services) -> Response:
    await services.delete_task()(task_id)
    return Response(status_code=204)
