"""The Project aggregate: a named group of tasks, optionally owned by a user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from domain import values
from domain.aggregates import Versioned, check_all, check_changes, require_utc
from domain.values import UNSET, Unset


@dataclass(frozen=True)
class ProjectChanges:
    name: str | Unset = UNSET
    description: str | Unset | None = UNSET
    owner_id: int | Unset | None = UNSET


_RULES: Final[Mapping[str, Callable[[Any], Any]]] = {
    "name": values.name,
    "description": values.description,
}


@dataclass(kw_only=True)
class Project(Versioned):
    """Names are unique per owner (ownerless projects among themselves), compared exactly."""

    name: str
    description: str | None
    owner_id: int | None

    @classmethod
    def create(
        cls,
        *,
        name: str,
        now: datetime,
        description: str | None = None,
        owner_id: int | None = None,
    ) -> Project:
        require_utc(now)
        checked = check_all(
            {
                "name": (values.name, name),
                "description": (values.description, description),
            }
        )
        return cls(**checked, owner_id=owner_id, created_at=now, updated_at=now)

    def change(self, changes: ProjectChanges, now: datetime) -> frozenset[str]:
        return self._apply(now, check_changes(changes, _RULES))

    def disown(self, now: datetime) -> frozenset[str]:
        """The owner is gone: the project stays, without one."""
        return self._apply(now, {"owner_id": None})
