"""Project endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from application.pagination import NameSort
from application.projects.create_project import CreateProject
from application.projects.update_project import UpdateProject
from domain.projects import ProjectChanges
from interfaces.api.dependencies import ExpectedVersions, Id, JsonBody, NameOrder, Paging, Services
from interfaces.api.problems.documented import (
    BODY_ERRORS,
    ERRORS,
    documented,
    not_found,
    patch_errors,
)
from interfaces.api.routes import responses
from interfaces.api.routes.partial_updates import partial_update, patch_openapi
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.projects import ProjectCreate, ProjectOut, ProjectPage, ProjectUpdate

router = APIRouter(prefix="/api/v1/projects", tags=["projects"], route_class=FixedPathsFirst)
NOT_FOUND = not_found("project")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectOut,
    summary="Create a project",
    description="Names are unique per owner, and among projects without an owner (409).",
    responses={**BODY_ERRORS, 409: documented("The owner already has a project of this name")},
    dependencies=[JsonBody],
)
async def create_project(body: ProjectCreate, services: Services) -> Response:
    view = await services.create_project()(
        CreateProject(name=body.name, description=body.description, owner_id=body.owner_id)
    )
    return responses.resource(ProjectOut, view, 201, f"{router.prefix}/{view.id}")


@router.get("", response_model=ProjectPage, summary="List projects", responses=ERRORS)
async def list_projects(services: Services, paging: Paging, sort: NameOrder = "name") -> Response:
    page = await services.list_projects()(NameSort.parse(sort), paging)
    return responses.page(ProjectPage, page, ProjectOut)


@router.get(
    "/{project_id}",
    response_model=ProjectOut,
    summary="Get a project with its task counts",
    responses={**ERRORS, **NOT_FOUND},
)
async def get_project(project_id: Id, services: Services) -> Response:
    return responses.resource(ProjectOut, await services.get_project()(project_id))


@router.patch(
    "/{project_id}",
    response_model=ProjectOut,
    summary="Change a project",
    responses=patch_errors("project", "The name is taken, or too many concurrent writers"),
    openapi_extra=patch_openapi(ProjectUpdate),
    dependencies=[JsonBody],
)
async def update_project(
    project_id: Id, request: Request, services: Services, expected: ExpectedVersions
) -> Response:
    fields = await partial_update(
        request, ProjectUpdate, lambda: services.get_project()(project_id)
    )
    view = await services.update_project()(
        UpdateProject(project_id, ProjectChanges(**fields), expected_versions=expected)
    )
    return responses.resource(ProjectOut, view)


@router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a project and its tasks",
    description="The project's tasks are deleted with it, in one transaction.",
    responses={**ERRORS, **NOT_FOUND},
)
async def delete_project(project_id: Id, services: Services) -> Response:
    await services.delete_project()(project_id)
    return Response(status_code=204)
