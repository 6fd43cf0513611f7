"""Bulk task endpoints: each one transaction, all or nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from application.tasks.bulk_update_tasks import BulkUpdateTasks
from application.tasks.create_task import CreateTask
from application.tasks.create_tasks import CreateTasks
from application.views import TaskView
from domain.tasks import TaskChanges
from interfaces.api.dependencies import IdempotencyKey, JsonBody, Services
from interfaces.api.problems.documented import BODY_ERRORS, IN_FLIGHT, not_found
from interfaces.api.routes import idempotency, responses
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.batches import (
    BulkCreated,
    BulkDelete,
    BulkDeleted,
    BulkUpdate,
    BulkUpdated,
    TaskBatch,
)

router = APIRouter(
    prefix="/api/v1/tasks", tags=["tasks"], dependencies=[JsonBody], route_class=FixedPathsFirst
)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=BulkCreated,
    summary="Create up to 1000 tasks at once",
    description="All or nothing: one invalid item is a 422 naming its index "
    "(`errors[].loc` = `body, items, i, field`) and nothing is stored.",
    responses={**BODY_ERRORS, **IN_FLIGHT},
)
async def create_tasks(
    body: TaskBatch, request: Request, services: Services, idempotency_key: IdempotencyKey = None
) -> Response:
    def created(views: list[TaskView]) -> Response:
        return responses.task_list(views, 201)

    command = CreateTasks([CreateTask.of(item) for item in body.items])
    return await idempotency.once(
        services, request, idempotency_key, services.create_tasks(), command, created
    )


@router.post(
    "/bulk-update",
    response_model=BulkUpdated,
    summary="Apply one change to many tasks",
    description="All or nothing: an unknown id is a 404 and nothing changes. `changes` "
    "names some of status, priority, assignee_id, project_id; each task that changes "
    "gets version + 1. `updated` counts the distinct tasks named.",
    responses={**BODY_ERRORS, **not_found("task")},
)
async def bulk_update(body: BulkUpdate, services: Services) -> Response:
    updated = await services.bulk_update_tasks()(
        BulkUpdateTasks(frozenset(body.ids), TaskChanges(**body.changes.named_fields()))
    )
    return responses.json(BulkUpdated(updated=updated))


@router.post(
    "/bulk-delete",
    response_model=BulkDeleted,
    summary="Delete many tasks",
    description="Ids that do not exist are ignored and not counted.",
    responses=BODY_ERRORS,
)
async def bulk_delete(body: BulkDelete, services: Services) -> Response:
    deleted = await services.bulk_delete_tasks()(frozenset(body.ids))
    return responses.json(BulkDeleted(deleted=deleted))
