"""Workspaces, the unit of isolation, and the roles a caller holds in one."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from domain import values
from domain.aggregates import require_utc


class Permission(enum.Enum):
    READ = "read"
    WRITE = "write"
    ADMINISTER = "administer"
    """Keys and webhooks."""


class Role(enum.StrEnum):
    """``reader`` reads; ``writer`` also changes data; ``admin`` also manages keys and
    webhooks. Each role holds every permission of the roles before it."""

    READER = "reader"
    WRITER = "writer"
    ADMIN = "admin"

    def allows(self, permission: Permission) -> bool:
        return permission in _PERMISSIONS[self]


_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.READER: frozenset({Permission.READ}),
    Role.WRITER: frozenset({Permission.READ, Permission.WRITE}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, kw_only=True)
class Workspace:
    """Names are unique; ``default`` holds what existed before workspaces."""

    id: int | None = None
    name: str
    created_at: datetime

    @classmethod
    def create(cls, name: str, now: datetime) -> Workspace:
        require_utc(now)
        return cls(name=values.name(name), created_at=now)
