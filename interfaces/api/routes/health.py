from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import text

from interfaces.api import responses
from interfaces.api.dependencies import Services
from interfaces.api.errors import problem
from interfaces.api.schemas import HealthOut, Problem

READY_TIMEOUT_SECONDS = 2.0

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger("taskhex.health")


@router.get("/live", summary="The process is up", response_model=HealthOut)
async def live() -> Response:
    return responses.json({"status": "ok"})


@router.get(
    "/ready",
    summary="The database answers",
    response_model=HealthOut,
    responses={503: {"model": Problem, "description": "The database cannot be reached"}},
)
async def ready(services: Services) -> Response:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            async with services.engine().connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:
        logger.warning("readiness check failed: %s", type(error).__name__)
        return problem(
            503, "The database cannot be reached.", kind="not-ready", headers={"Retry-After": "2"}
        )
    return responses.json({"status": "ok", "database": "ok"})
