"""Whether the database answers now: the readiness check, bounded in time."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from infrastructure.persistence.failures import DatabaseFailure, classify
from infrastructure.persistence.retries import probing


async def ping(engine: AsyncEngine, *, within: float) -> None:
    """Run ``SELECT 1`` through the pool; raise unless it answers within ``within`` seconds.

    A new connection gets one attempt of three quarters of the budget (no
    backoff). A pooled connection found dead (without pre-ping) is replaced once.
    """
    async with asyncio.timeout(within):
        with probing(within * 0.75):
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(2),
                retry=retry_if_exception(lambda error: classify(error) is DatabaseFailure.LOST),
                reraise=True,
            ):
                with attempt:
                    async with engine.connect() as connection:
                        await connection.execute(text("SELECT 1"))
