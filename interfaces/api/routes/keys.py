"""API key endpoints: an admin's, in the caller's workspace."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, status
from fastapi.responses import Response

from application.keys.create_key import CreateKey
from interfaces.api.dependencies import Id, JsonBody, Paging, Services
from interfaces.api.problems.documented import BODY_ERRORS, ERRORS, Responses, documented
from interfaces.api.routes import responses
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.keys import KeyCreate, KeyCreated, KeyOut, KeyPage

router = APIRouter(prefix="/api/v1/keys", tags=["keys"], route_class=FixedPathsFirst)

# The 401 every /api/v1 operation answers is documented once (openapi.document).
ADMINS_ONLY: Responses = {403: documented("The key's role is not admin")}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    summary="Create an API key",
    description="A key of the caller's workspace with the role given. Its `secret` is in "
    "this answer and in no other: store it now.",
    responses={**BODY_ERRORS, **ADMINS_ONLY},
    dependencies=[JsonBody],
)
async def create_key(body: KeyCreate, services: Services) -> Response:
    issued = await services.create_key()(CreateKey(name=body.name, role=body.role))
    created = KeyCreated(**dataclasses.asdict(issued.key), secret=issued.secret)
    return responses.json(created, 201)


@router.get(
    "",
    response_model=KeyPage,
    summary="List API keys",
    description="The caller's workspace's keys, oldest first; never a secret.",
    responses={**ERRORS, **ADMINS_ONLY},
)
async def list_keys(services: Services, paging: Paging) -> Response:
    page = await services.list_keys()(paging)
    return responses.page(KeyPage, page, KeyOut)


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    description="Deletes the key: requests with it are refused (401) at most 5 s later. A key "
    "of another workspace is a 404, like one that does not exist. The workspace's last admin "
    "key cannot be revoked (409): create another admin key first.",
    responses={
        **ERRORS,
        **ADMINS_ONLY,
        404: documented("No such key in the caller's workspace"),
        409: documented("The workspace's last admin key"),
    },
)
async def revoke_key(key_id: Id, services: Services) -> Response:
    await services.revoke_key()(key_id)
    return Response(status_code=204)
