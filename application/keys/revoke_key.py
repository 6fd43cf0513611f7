from __future__ import annotations

from collections.abc import Callable

from application import callers
from application.errors import LastAdminKey, NotFound
from application.ports import UnitOfWork
from domain.workspaces import Permission


class RevokeKeyHandler:
    """Deletes a key of the caller's workspace (another workspace's is ``NotFound``), which
    is refused from then on. The last admin key is kept (``LastAdminKey``): the keys are
    held first, so that two revocations of the last two cannot both pass."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def __call__(self, key_id: int) -> None:
        callers.current().require(Permission.ADMINISTER)
        async with self._uow() as uow:
            await uow.keys.hold()
            key = await uow.keys.get(key_id)
            if key is None:
                raise NotFound("API key", key_id)
            if key.administers and await uow.keys.admins() <= 1:
                raise LastAdminKey(key_id)
            await uow.keys.delete(key_id)
            await uow.commit()
