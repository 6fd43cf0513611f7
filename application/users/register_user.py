from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.views import UserView
from domain.users import User


@dataclass(frozen=True)
class RegisterUser:
    email: str
    name: str


class RegisterUserHandler:
    """A taken email (in any case) is a ``Conflict``, decided by the store's unique index."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: RegisterUser) -> UserView:
        user = User.register(email=command.email, name=command.name, now=self._clock.now())
        async with self._uow() as uow:
            user = await uow.users.add(user)
            await uow.commit()
        return UserView.of(user)
