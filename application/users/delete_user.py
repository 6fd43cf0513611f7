from __future__ import annotations

from collections.abc import Callable

from application.errors import NotFound
from application.ports import Clock, UnitOfWork


class DeleteUserHandler:
    """The user's tasks stay, unassigned; their projects stay, without an owner.

    Each task and project so changed gets a new version, in the same transaction.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, user_id: int) -> None:
        async with self._uow() as uow:
            now = self._clock.now()
            await uow.tasks.unassign_all(user_id, now)
            await uow.projects.disown_all(user_id, now)
            if not await uow.users.delete(user_id):
                raise NotFound("user", user_id)
            await uow.commit()
