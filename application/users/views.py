from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.users import User


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, user: User) -> UserView:
        assert user.id is not None, "only a stored user has a view"
        return cls(user.id, user.email, user.name, user.created_at, user.updated_at, user.version)
