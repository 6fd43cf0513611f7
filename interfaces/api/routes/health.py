from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import Response

from infrastructure.database import pings
from infrastructure.database.failures import describe
from interfaces.api.dependencies import Services
from interfaces.api.problems.answers import problem
from interfaces.api.problems.documented import documented
from interfaces.api.routes import responses
from interfaces.api.routing import FixedPathsFirst
from interfaces.api.schemas.common import HealthOut

READY_TIMEOUT_SECONDS = 2.0

router = APIRouter(prefix="/health", tags=["health"], route_class=FixedPathsFirst)
logger = logging.getLogger("taskhex.health")


@router.get("/live", summary="The process is up", response_model=HealthOut)
async def live() -> Response:
    return responses.json({"status": "ok"})


@router.get(
    "/ready",
    summary="The database answers",
    response_model=HealthOut,
    responses={503: documented("The database cannot be reached")},
)
async def ready(services: Services) -> Response:
    """200 when ``SELECT 1`` answers within 2 s; 503 otherwise, in about 2 s at most.

    The check uses the service's own pool, so a 200 after an outage also means
    the pool has replaced its dead connections: no restart is needed.
    """
    try:
        await pings.ready(services.engine(), within=READY_TIMEOUT_SECONDS)
    except Exception as error:
        logger.warning("readiness check failed: %s", describe(error))
        return problem(
            503, "The database cannot be reached.", kind="not-ready", headers={"Retry-After": "2"}
        )
    return responses.json({"status": "ok", "database": "ok"})
