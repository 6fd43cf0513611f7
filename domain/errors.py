"""Errors raised when a rule of the domain is broken."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule, named by the field it concerns."""

    field: str
    message: str
    code: str
    within: tuple[str | int, ...] = ()
    """Where the field sits when it belongs to an item of a batch, e.g. ``("items", 3)``."""

    @property
    def location(self) -> tuple[str | int, ...]:
        return (*self.within, self.field)

    def inside(self, *prefix: str | int) -> Violation:
        return Violation(self.field, self.message, self.code, (*prefix, *self.within))


class DomainError(Exception):
    """Base class of every rule violation; carries one violation per bad field."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(f"{v.field}: {v.message}" for v in violations))


class InvalidValue(DomainError):
    def __init__(self, field: str, message: str, code: str = "value_error") -> None:
        super().__init__([Violation(field, message, code)])
