"""When each credential was last used, written in the background, never per request.

An authenticator that notes uses (API keys: ``last_used_at``) is flushed every
``KEY_USES_FLUSH_SECONDS`` while the app runs, and once more when it stops. A
flush that fails is logged and its uses are kept for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from application.ports import Authenticator
from infrastructure.database.failures import describe

logger = logging.getLogger("taskhex.api.keys")


@runtime_checkable
class NotesUses(Protocol):
    async def flush(self) -> None: ...


async def _flush(authenticator: NotesUses) -> None:
    try:
        await authenticator.flush()
    except Exception as error:
        logger.warning("the last uses of API keys were not written yet: %s", describe(error))


@contextlib.asynccontextmanager
async def key_uses_recorded(authenticator: Authenticator, every: float) -> AsyncIterator[None]:
    if not isinstance(authenticator, NotesUses):
        yield
        return

    async def keep_flushing() -> None:
        while True:
            await asyncio.sleep(every)
            await _flush(authenticator)

    flusher = asyncio.create_task(keep_flushing())
    try:
        yield
    finally:
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher
        await _flush(authenticator)
