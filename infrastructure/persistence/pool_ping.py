"""Pooled asyncpg connections checked before use, when they may have gone stale.

A connection that sat idle in the pool may have been closed meanwhile (a
server restart, an idle timeout of the pooler or the network): before it is
handed out it is pinged with a ``SELECT 1`` in the simple query protocol (one
round trip, safe behind a transaction-mode pooler, unlike SQLAlchemy's ping,
which needs a transaction of its own and costs three). A connection that
fails the ping is replaced.

A connection returned less than ``idle_for`` seconds ago is handed out as it
is, as HikariCP does (its ``aliveBypassWindowMs``): under load every checkout
would otherwise pay a round trip to learn what the last request just showed.
(Behind a transaction-mode pooler the engine pings every checkout: the
pooler may hold dead server connections, and each failed ping makes it drop
one.) A connection just opened is not pinged.
A connection that dies inside that window fails its request as it would have
failed it had it died just after a ping: a read is then run again, a write
answered 503 (see ``interfaces/api/database_failures``). Once a connection
has been found lost (``connections_lost``), every connection returned before
that is pinged on its next checkout, however recently it was used: what killed
one (a restart, a failover) most likely killed the others, and a retried read
must not be handed one of them.
"""

from __future__ import annotations

import time
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool
from sqlalchemy.util import await_only

_LAST_USED: Final = "taskhex_last_used"
_FRESH: Final = "taskhex_fresh"
# The last time a connection of each pool was found lost.
_LOST_AT: WeakKeyDictionary[Pool, float] = WeakKeyDictionary()


def connections_lost(pool: Pool) -> None:
    """A connection of ``pool`` died: ping every connection used before now."""
    _LOST_AT[pool] = time.monotonic()


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
