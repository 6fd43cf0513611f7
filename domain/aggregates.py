"""What every aggregate shares: UTC instants, rule checking, and the versioning rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Final

from domain.errors import DomainError, InvalidValue, Violation
from domain.values import Unset

_TICK: Final = timedelta(microseconds=1)


def require_utc(now: datetime) -> None:
    if now.utcoffset() != timedelta(0):
        raise InvalidValue("now", "timestamps must be timezone-aware UTC", "timezone")


def check_all(checks: Mapping[str, tuple[Callable[[Any], Any], Any]]) -> dict[str, Any]:
    """Each ``name: (rule, value)`` checked; every broken rule reported at once, not just the
    first. Returns the checked values by name."""
    results: dict[str, Any] = {}
    violations: list[Violation] = []
    for name, (rule, value) in checks.items():
        try:
            results[name] = rule(value)
        except DomainError as error:
            violations.extend(error.violations)
    if violations:
        raise DomainError(violations)
    return results


def check_changes(changes: Any, rules: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """The checked values of the fields of a partial change that are not ``UNSET``.

    Fields without a rule are taken as they are.
    """
    given = {f.name: getattr(changes, f.name) for f in fields(changes)}
    return check_all(
        {
            name: (rules.get(name, _as_given), value)
            for name, value in given.items()
            if not isinstance(value, Unset)
        }
    )


def _as_given(value: Any) -> Any:
    return value


@dataclass(kw_only=True)
class Versioned:
    """An aggregate whose every real change is numbered.

    The rule, defined here only: a change that alters at least one field bumps
    ``version`` by exactly one and moves ``updated_at`` forward (by a
    microsecond at least, even when the clock does not); a change that alters
    nothing leaves both as they were. ``created_at`` never moves.
    """

    created_at: datetime
    updated_at: datetime
    version: int = 1
    id: int | None = None

    def _apply(self, now: datetime, values: Mapping[str, Any]) -> frozenset[str]:
        """Set the values that differ, as one change; the names of the fields that changed."""
        require_utc(now)
        changed = frozenset(name for name, value in values.items() if getattr(self, name) != value)
        if changed:
            for name in changed:
                setattr(self, name, values[name])
            self.updated_at = max(now, self.updated_at + _TICK)
            self.version += 1
        return changed
