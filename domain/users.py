"""The User aggregate: someone who owns projects and is assigned tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from domain import values
from domain.aggregates import Versioned, check_all, check_changes, require_utc
from domain.values import UNSET, Unset


@dataclass(frozen=True)
class UserChanges:
    email: str | Unset = UNSET
    name: str | Unset = UNSET


_RULES: Final[Mapping[str, Callable[[Any], Any]]] = {"email": values.email, "name": values.name}


@dataclass(kw_only=True)
class User(Versioned):
    """Emails are unique without regard to case, so they are kept lower-cased."""

    email: str
    name: str

    @classmethod
    def register(cls, *, email: str, name: str, now: datetime) -> User:
        require_utc(now)
        checked = check_all({"email": (values.email, email), "name": (values.name, name)})
        return cls(**checked, created_at=now, updated_at=now)

    def change(self, changes: UserChanges, now: datetime) -> frozenset[str]:
        return self._apply(now, check_changes(changes, _RULES))
