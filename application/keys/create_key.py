from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application import callers
from application.ports import Clock, KeySecrets, UnitOfWork
from application.views import IssuedKey, KeyView
from domain.keys import ApiKey
from domain.workspaces import Permission


@dataclass(frozen=True)
class CreateKey:
    name: str
    role: str


class CreateKeyHandler:
    """A new key of the caller's workspace, which only its admins may make. The secret is
    in the answer and nowhere else: the store keeps its hash."""

    def __init__(self, uow: Callable[[], UnitOfWork], secrets: KeySecrets, clock: Clock) -> None:
        self._uow = uow
        self._secrets = secrets
        self._clock = clock

    async def __call__(self, command: CreateKey) -> IssuedKey:
        callers.current().require(Permission.ADMINISTER)
        issued = self._secrets.issue()
        key = ApiKey.issue(
            name=command.name, role=command.role, prefix=issued.prefix, now=self._clock.now()
        )
        async with self._uow() as uow:
            key = await uow.keys.add(key, issued.key_hash)
            await uow.commit()
        return IssuedKey(KeyView.of(key), issued.secret)
