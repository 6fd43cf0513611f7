from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from application.idempotency_keys import KEEP_FOR, IdempotencyKey, Reply
from application.ports import Clock, UnitOfWork

R = TypeVar("R")


class RunOnceHandler:
    """Do ``work`` at most once per idempotency key, in the transaction that records it.

    The key is claimed, the work done and its reply stored in one unit of work:
    a failure leaves neither work nor key behind, so only successful replies
    are kept; a retry with the same key gets the stored reply back.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self,
        key: IdempotencyKey,
        work: Callable[[UnitOfWork], Awaitable[R]],
        reply: Callable[[R], Reply],
    ) -> Reply:
        now = self._clock.now()
        async with self._uow() as uow:
            stored = await uow.idempotency.claim(key, now)
            if stored is not None:
                return stored
            answer = reply(await work(uow))
            await uow.idempotency.record(key, answer, now + KEEP_FOR)
            await uow.commit()
        return answer
