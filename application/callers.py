"""Who is calling: a workspace and a role, set by the driving adapter for one request.

The driving adapter (the API's authentication, a CLI command) establishes the
caller with ``acting_as``; the driven adapters read it where a transaction or a
read begins, so that every statement runs in the caller's workspace without
each use case passing it along. Nothing runs outside a caller: ``current()``
refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from application.errors import Forbidden, Unauthenticated
from domain.workspaces import Permission, Role


@dataclass(frozen=True)
class Caller:
    """A workspace and a role; ``principal`` says who within it (an API key, a token's
    subject) for what is counted per caller, rate limits, and is no part of equality."""

    workspace_id: int
    role: Role
    principal: str | None = field(default=None, compare=False)

    def require(self, permission: Permission) -> None:
        if not self.role.allows(permission):
            raise Forbidden(self.role, permission)


_caller: ContextVar[Caller | None] = ContextVar("caller", default=None)


def current() -> Caller:
    """The caller of the request being served; ``Unauthenticated`` outside one."""
    caller = _caller.get()
    if caller is None:
        raise Unauthenticated("no caller has been established")
    return caller


@contextmanager
def acting_as(caller: Caller) -> Iterator[Caller]:
    token = _caller.set(caller)
    try:
        yield caller
    finally:
        _caller.reset(token)
