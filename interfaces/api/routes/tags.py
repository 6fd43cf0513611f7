from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from interfaces.api.dependencies import Paging, Services
from interfaces.api.problems.documented import ERRORS
from interfaces.api.routes import responses
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.projects import TagOut, TagPage

router = APIRouter(prefix="/api/v1/tags", tags=["tags"], route_class=FixedPathsFirst)


@router.get(
    "",
    response_model=TagPage,
    summary="List the tags in use",
    description="By name, each with the number of tasks that carry it; unused tags are left out.",
    responses=ERRORS,
)
async def list_tags(services: Services, paging: Paging) -> Response:
    page = await services.list_tags()(paging)
    return responses.page(TagPage, page, TagOut)
