"""User endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from application.pagination import NameSort
from application.users.register_user import RegisterUser
from application.users.update_user import UpdateUser
from domain.users import UserChanges
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
from interfaces.api.schemas.users import UserCreate, UserOut, UserPage, UserUpdate

router = APIRouter(prefix="/api/v1/users", tags=["users"], route_class=FixedPathsFirst)
NOT_FOUND = not_found("user")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    summary="Register a user",
    description="Emails are unique without regard to case (409) and are stored lower-cased.",
    responses={**BODY_ERRORS, 409: documented("The email is taken")},
    dependencies=[JsonBody],
)
async def register_user(body: UserCreate, services: Services) -> Response:
    view = await services.register_user()(RegisterUser(email=body.email, name=body.name))
    return responses.resource(UserOut, view, 201, f"{router.prefix}/{view.id}")


@router.get("", response_model=UserPage, summary="List users", responses=ERRORS)
async def list_users(services: Services, paging: Paging, sort: NameOrder = "name") -> Response:
    page = await services.list_users()(NameSort.parse(sort), paging)
    return responses.page(UserPage, page, UserOut)


@router.get(
    "/{user_id}", response_model=UserOut, summary="Get a user", responses={**ERRORS, **NOT_FOUND}
)
async def get_user(user_id: Id, services: Services) -> Response:
    return responses.resource(UserOut, await services.get_user()(user_id))


@router.patch(
    "/{user_id}",
    response_model=UserOut,
    summary="Change a user",
    responses=patch_errors("user", "The email is taken, or too many concurrent writers"),
    openapi_extra=patch_openapi(UserUpdate),
    dependencies=[JsonBody],
)
async def update_user(
    user_id: Id, request: Request, services: Services, expected: ExpectedVersions
) -> Response:
    fields = await partial_update(request, UserUpdate, lambda: services.get_user()(user_id))
    view = await services.update_user()(
        UpdateUser(user_id, UserChanges(**fields), expected_versions=expected)
    )
    return responses.resource(UserOut, view)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a user",
    description="Their tasks stay, unassigned; their projects stay, without an owner, each "
    "with a new version. Projects without an owner have unique names too: if one of the "
    "user's projects has the name of a project without an owner, the user is not deleted "
    "and nothing changes (409, naming those projects); rename or delete one of each pair "
    "first.",
    responses={
        **ERRORS,
        **NOT_FOUND,
        409: documented("A project of the user has the name of a project without an owner"),
    },
)
async def delete_user(user_id: Id, services: Services) -> Response:
    await services.delete_user()(user_id)
    return Response(status_code=204)
