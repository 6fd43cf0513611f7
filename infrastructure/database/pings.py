"""Connections checked before use when they may have gone stale, and the readiness ping.

A pooled asyncpg connection idle for ``idle_for`` seconds or more is pinged
with one ``SELECT 1`` in the simple query protocol (one round trip, safe behind
a pooler) and replaced if that fails; one used more recently goes out as it is
(HikariCP's ``aliveBypassWindowMs``), a fresh one too. Once any connection is
found lost, every one used before is pinged on its next checkout: what killed
one most likely killed the others.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import event, exc, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool
from sqlalchemy.util import await_only

from infrastructure.database.failures import DatabaseFailure, classify
from infrastructure.database.retries import again_after_lost, probing

_LAST_USED: Final = "taskhex_last_used"
_FRESH: Final = "taskhex_fresh"
# The last time a connection of each pool was found lost.
_LOST_AT: WeakKeyDictionary[Pool, float] = WeakKeyDictionary()


def connections_lost(pool: Pool) -> None:
    """A connection of ``pool`` died: ping every connection used before now."""
    _LOST_AT[pool] = time.monotonic()


def treat_lost_as_disconnect(context: ExceptionContext) -> None:
    """SQLAlchemy's ``handle_error``: every lost connection is a disconnect, which its own
    checks can miss; it is then discarded, and the pool's older ones will be pinged."""
    lost = classify(context.original_exception) is DatabaseFailure.LOST
    if lost and not context.is_disconnect:
        context.is_disconnect = True
    if lost and context.engine is not None:
        connections_lost(context.engine.pool)


def install_ping(engine: AsyncEngine, *, idle_for: float) -> None:
    """Ping connections idle for ``idle_for`` seconds or more on checkout (0: every one)."""
    pool = engine.sync_engine.pool

    def opened(_dbapi_connection: Any, record: Any) -> None:
        record.info[_FRESH] = True

    def used(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_FRESH, False):
            return  # just opened: known to work
        last_used = record.info.get(_LAST_USED, 0.0)
        recent = time.monotonic() - last_used < idle_for
        if recent and last_used > _LOST_AT.get(pool, 0.0):
            return
        try:
            await_only(dbapi_connection.driver_connection.execute("SELECT 1"))
        except Exception as error:
            # The pool discards the connection and opens another.
            raise exc.DisconnectionError(f"a pooled connection failed its ping: {error}") from error

    event.listen(pool, "connect", opened)
    event.listen(pool, "checkin", used)
    event.listen(pool, "checkout", check)


async def ready(engine: AsyncEngine, *, within: float) -> None:
    """``SELECT 1`` through the pool; raise unless it answers within ``within`` seconds.

    A new connection gets one attempt of three quarters of the budget (no
    backoff); a pooled connection found dead (without pre-ping) is replaced once.
    """

    async def select_one() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async with asyncio.timeout(within):
        with probing(within * 0.75):
            await again_after_lost(2, backoff=0)(select_one)
