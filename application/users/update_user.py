from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports import Clock, UnitOfWork
from application.versioning import change_versioned
from application.views import UserView
from domain.users import User, UserChanges


@dataclass(frozen=True)
class UpdateUser:
    user_id: int
    changes: UserChanges
    expected_versions: frozenset[int] | None = None


class UpdateUserHandler:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: UpdateUser) -> UserView:
        async def change(_: UnitOfWork, user: User) -> frozenset[str]:
            return user.change(command.changes, self._clock.now())

        user = await change_versioned(
            self._uow,
            lambda uow: uow.users,
            "user",
            command.user_id,
            change,
            command.expected_versions,
        )
        return UserView.of(user)
