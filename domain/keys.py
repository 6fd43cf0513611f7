"""API keys: the credentials of a workspace, each with the role it grants.

A key's secret is not part of it: the secret is shown once to whoever made
the key, and only a one-way hash of it is stored, by the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import values
from domain.aggregates import check_all, require_utc
from domain.errors import InvalidValue
from domain.workspaces import Role


def role_of(value: str) -> Role:
    """``reader``, ``writer`` or ``admin``, trimmed."""
    try:
        return Role(value.strip())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidValue("role", f"must be one of {allowed}", "enum") from None


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """``prefix`` is the public part of the secret, stored in clear so that a key can be
    recognised in a list; ``last_used_at`` is kept by the authenticator."""

    id: int | None = None
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None

    @classmethod
    def issue(cls, *, name: str, role: str, prefix: str, now: datetime) -> ApiKey:
        require_utc(now)
        checked = check_all({"name": (values.name, name), "role": (role_of, role)})
        return cls(**checked, prefix=prefix, created_at=now)

    @property
    def administers(self) -> bool:
        return self.role is Role.ADMIN
