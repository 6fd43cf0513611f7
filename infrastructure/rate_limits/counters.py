"""Fixed windows counted with the ``limits`` library, in one storage command a request.

A window is aligned on the wall clock (window ``n`` of a budget runs from
``n * window`` to ``(n + 1) * window`` seconds since the epoch) and has a
counter of its own, named by the library's ``RateLimitItem.key_for`` with the
window's number in it. A request is one ``incr`` of that counter (in Redis one
``EVALSHA`` of the library's INCRBY-and-EXPIRE script): its answer is the
count, and the time left in the window follows from the clock, so no second
command is needed for the headers (``FixedWindowRateLimiter.get_window_stats``
would take two more). Instances must keep their clocks in step (NTP), as
anything aligned on time does.

When the storage fails or does not answer within ``timeout`` seconds, the
request is let through uncounted (fail open) and the storage is left alone
for ``retry_seconds``: one request then tries it again, the others are let
through without waiting for it. An outage is logged once when it begins and
once when it ends, never a line a request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage

from application.ports import RateLimiter
from application.rate_limits import Allowance, Budget

logger = logging.getLogger("taskhex.rate_limits")

NAMESPACE = "taskhex"


class LimitsRateLimiter(RateLimiter):
    def __init__(
        self,
        storage: Storage,
        *,
        timeout: float,
        retry_seconds: float,
        where: str = "memory",
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._storage = storage
        self._timeout = timeout
        self._retry_seconds = retry_seconds
        self._where = where
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._failures: tuple[type[BaseException], ...] = (OSError, TimeoutError)
        base = storage.base_exceptions
        self._failures += base if isinstance(base, tuple) else (base,)
        self._down = False
        self._retry_at = 0.0

    @property
    def counting(self) -> bool:
        """Whether the storage answered the last time it was asked."""
        return not self._down

    async def hit(self, subject: str, budget: Budget) -> Allowance:
        if self._down:
            now = self._monotonic()
            if now < self._retry_at:
                return Allowance.uncounted(budget)
            # This request tries the storage again; the others go on without it meanwhile.
            self._retry_at = now + self._retry_seconds
        moment = self._wall_clock()
        window = int(moment // budget.window_seconds)
        reset = max(1, math.ceil((window + 1) * budget.window_seconds - moment))
        item = RateLimitItemPerSecond(budget.quota, budget.window_seconds, namespace=NAMESPACE)
        try:
            async with asyncio.timeout(self._timeout):
                # The counter outlives its window by a second, not by a whole window.
                count = await self._storage.incr(item.key_for(subject, window), reset + 1)
        except self._failures as error:
            self._fail(error)
            return Allowance.uncounted(budget)
        if self._down:
            self._down = False
            logger.warning("rate limits are counted again: %s answers", self._where)
        return Allowance(budget, count <= budget.quota, max(0, budget.quota - count), reset)

    def _fail(self, error: BaseException) -> None:
        self._retry_at = self._monotonic() + self._retry_seconds
        if self._down:
            return
        self._down = True
        logger.warning(
            "rate limits are not counted: %s cannot be reached (%s); requests are let through "
            "uncounted, and it is tried again every %g s",
            self._where,
            type(error).__name__,
            self._retry_seconds,
        )
