"""What every aggregate shares: rule checking, UTC instants and versioned changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from domain.errors import DomainError, InvalidValue, Violation
from domain.values import Unset


class Versioned(Protocol):
    id: int | None
    version: int
    updated_at: datetime


def check_all(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check and report all broken rules at once, not just the first."""
    results: dict[str, Any] = {}
    violations: list[Violation] = []
    for name, check in checks.items():
        try:
            results[name] = check()
        except DomainError as error:
            violations.extend(error.violations)
    if violations:
        raise DomainError(violations)
    return results


def check_changes(changes: Any, rules: Mapping[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """Check the fields of a partial-change dataclass that are not ``UNSET``.

    Fields without a rule are taken as they are.
    """
    given = {f.name: getattr(changes, f.name) for f in fields(changes)}
    given = {name: value for name, value in given.items() if not isinstance(value, Unset)}
    identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
    return check_all(
        {name: _bind(rules.get(name, identity), value) for name, value in given.items()}
    )


def _bind(rule: Callable[[Any], Any], value: Any) -> Callable[[], Any]:
    return lambda: rule(value)


def require_utc(now: datetime) -> None:
    if now.utcoffset() != timedelta(0):
        raise InvalidValue("now", "timestamps must be timezone-aware UTC", "timezone")


def apply_changes(aggregate: Versioned, new_values: Mapping[str, Any], now: datetime) -> set[str]:
    """Set the values that differ; if any did, bump ``version`` once and move ``updated_at``.

    ``updated_at`` moves forward even when the clock does not, so that every
    change is visible in it. Returns the names of the fields that changed.
    """
    require_utc(now)
    changed = {name for name, value in new_values.items() if getattr(aggregate, name) != value}
    if changed:
        for name in changed:
            setattr(aggregate, name, new_values[name])
        aggregate.updated_at = max(now, aggregate.updated_at + timedelta(microseconds=1))
        aggregate.version += 1
    return changed
