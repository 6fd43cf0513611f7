"""Changing an aggregate under optimistic locking, shared by every update use case."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from application.errors import ConcurrentUpdate, NotFound, PreconditionFailed
from application.ports import Repository, UnitOfWork
from domain.aggregates import Versioned

MAX_ATTEMPTS: Final = 5

V = TypeVar("V", bound=Versioned)


async def change_versioned(
    unit_of_work: Callable[[], UnitOfWork],
    repository: Callable[[UnitOfWork], Repository[V]],
    resource: str,
    identifier: int,
    change: Callable[[UnitOfWork, V], Awaitable[frozenset[str]]],
    expected_versions: frozenset[int] | None,
) -> V:
    """Load, ``change``, check the version, save and commit; return the aggregate.

    Rules are checked in the order clients rely on: a missing aggregate is
    ``NotFound``, then ``change`` raises for broken rules, then a version not in
    ``expected_versions`` is ``PreconditionFailed`` (``None`` accepts any). A
    blind change that loses a race is retried on fresh state; a conditional one
    is not, since the version it was conditioned on is gone.
    """

    async def attempt() -> V:
        async with unit_of_work() as uow:
            aggregate = await repository(uow).get(identifier, for_update=True)
            if aggregate is None:
                raise NotFound(resource, identifier)
            seen_version = aggregate.version
            changed = await change(uow, aggregate)
            if expected_versions is not None and seen_version not in expected_versions:
                raise PreconditionFailed(resource, identifier, seen_version)
            if changed:
                await repository(uow).save(aggregate)
                await uow.commit()
        return aggregate

    attempts = 1
    while True:
        try:
            return await attempt()
        except ConcurrentUpdate as lost_race:
            if expected_versions is not None:
                raise PreconditionFailed(resource, identifier) from lost_race
            if attempts == MAX_ATTEMPTS:
                raise
            attempts += 1
