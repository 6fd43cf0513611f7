"""How fast a caller may call: budgets per role, and what one check of a budget found.

A budget is a number of requests per fixed window of time. Every API key
spends its own, sized by its role; requests without a valid key spend the
budget of their client address (``anonymous``), so that guessing keys is as
slow as anything else. The counting itself is a port (``ports.RateLimiter``):
counters shared by every worker and instance, or kept in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.workspaces import Role


@dataclass(frozen=True)
class Budget:
    """``quota`` requests per window of ``window_seconds``."""

    quota: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.quota < 1 or self.window_seconds < 1:
            raise ValueError("a budget needs a quota and a window of at least 1")


@dataclass(frozen=True)
class Allowance:
    """What one request found of its budget.

    ``remaining`` is what is left of the quota after this request (0 once it is
    spent), ``reset_seconds`` how long until the window starts again. When the
    counters cannot be reached the request is let through uncounted
    (``counted`` false): the service keeps serving rather than refuse everyone.
    """

    budget: Budget
    allowed: bool
    remaining: int
    reset_seconds: int
    counted: bool = True

    @classmethod
    def uncounted(cls, budget: Budget) -> Allowance:
        return cls(budget, True, budget.quota, budget.window_seconds, counted=False)


@dataclass(frozen=True)
class Budgets:
    """The budget of each role, and of a client address without a valid key."""

    reader: Budget
    writer: Budget
    admin: Budget
    anonymous: Budget

    def of(self, role: Role | None) -> Budget:
        """The budget of a caller of ``role``; ``None``: a request without a valid key."""
        if role is None:
            return self.anonymous
        return {Role.READER: self.reader, Role.WRITER: self.writer, Role.ADMIN: self.admin}[role]
