"""In-process fakes of the repositories and unit of work, for unit tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from application import callers
from application.errors import ConcurrentUpdate, Conflict, IdempotencyMismatch, InvalidReference
from application.idempotency_keys import IdempotencyKey, Reply
from application.ports import (
    IdempotencyStore,
    ProjectRepository,
    Repository,
    TaskRepository,
    UnitOfWork,
)
from domain.aggregates import Versioned
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from infrastructure.memory.access import InMemoryKeyRepository
from infrastructure.memory.store import InMemoryStore

A = TypeVar("A", bound=Versioned)


class InMemoryRepository(Generic[A]):
    """Stages every change; nothing reaches the store until the unit of work commits."""

    def __init__(
        self,
        committed: dict[int, A],
        store: InMemoryStore,
        resource: str,
        unique_key: Callable[[A], Hashable] | None = None,
    ) -> None:
        self.committed = committed
        self._store = store
        self._resource = resource
        self._unique_key = unique_key
        self.staged: dict[int, A | None] = {}
        self.new: set[int] = set()

    def current(self) -> dict[int, A]:
        merged: dict[int, A | None] = {**self.committed, **self.staged}
        return {key: value for key, value in merged.items() if value is not None}

    def _check_unique(self, aggregate: A) -> None:
        if self._unique_key is None:
            return
        key = self._unique_key(aggregate)
        for identifier, other in self.current().items():
            if identifier != aggregate.id and self._unique_key(other) == key:
                raise Conflict(f"a {self._resource} with this value already exists")

    async def add(self, aggregate: A) -> A:
        identifier = next(self._store.ids)
        stored = dataclasses.replace(aggregate, id=identifier)
        self._check_unique(stored)
        self.staged[identifier] = stored
        self.new.add(identifier)
        return dataclasses.replace(stored)

    async def get(self, identifier: int, *, for_update: bool = False) -> A | None:
        found = self.current().get(identifier)
        return None if found is None else dataclasses.replace(found)

    async def save(self, aggregate: A) -> None:
        assert aggregate.id is not None, "save() is for aggregates loaded through get()"
        self._check_unique(aggregate)
        self.staged[aggregate.id] = dataclasses.replace(aggregate)

    async def save_many(self, aggregates: list[A]) -> None:
        for aggregate in aggregates:
            await self.save(aggregate)

    def _where(self, field: str, identifier: int) -> list[A]:
        found = [a for a in self.current().values() if getattr(a, field) == identifier]
        return [dataclasses.replace(a) for a in sorted(found, key=lambda a: a.id or 0)]

    async def delete(self, identifier: int) -> bool:
        if identifier not in self.current():
            return False
        self.staged[identifier] = None
        return True

    async def exists(self, identifier: int) -> bool:
        return identifier in self.current()

    async def missing(self, identifiers: set[int]) -> set[int]:
        return identifiers - set(self.current())

    def stale(self) -> int | None:
        """The id of a staged change whose stored version moved on, if any."""
        for identifier, aggregate in self.staged.items():
            if aggregate is None or identifier in self.new:
                continue
            stored = self.committed.get(identifier)
            if stored is None or stored.version != aggregate.version - 1:
                return identifier
        return None

    def publish(self) -> None:
        for identifier, aggregate in self.staged.items():
            if aggregate is None:
                self.committed.pop(identifier, None)
            else:
                self.committed[identifier] = aggregate
        self.discard()

    def discard(self) -> None:
        self.staged.clear()
        self.new.clear()


class InMemoryTaskRepository(InMemoryRepository[Task], TaskRepository):
    def __init__(
        self,
        committed: dict[int, Task],
        store: InMemoryStore,
        users: InMemoryRepository[User],
        projects: InMemoryRepository[Project],
    ) -> None:
        super().__init__(committed, store, "task")
        self._users = users
        self._projects = projects

    async def add(self, aggregate: Task) -> Task:
        missing = {
            field: resource
            for field, resource, identifier, repository in (
                ("project_id", "project", aggregate.project_id, self._projects),
                ("assignee_id", "user", aggregate.assignee_id, self._users),
            )
            if identifier is not None and not await repository.exists(identifier)
        }
        if missing:
            raise InvalidReference(missing)
        return await super().add(aggregate)

    async def assigned_to(self, user_id: int) -> list[Task]:
        return self._where("assignee_id", user_id)

    async def delete_all_in(self, project_id: int) -> int:
        found = [t.id for t in self.current().values() if t.project_id == project_id]
        for identifier in found:
            assert identifier is not None
            await self.delete(identifier)
        return len(found)

    async def add_many(self, tasks: list[Task]) -> list[Task]:
        # References are the caller's to check, as on the SQL adapter.
        return [await InMemoryRepository.add(self, task) for task in tasks]

    async def get_many(self, task_ids: set[int], *, for_update: bool = False) -> list[Task]:
        found = [await self.get(i) for i in sorted(task_ids)]
        return [task for task in found if task is not None]

    async def delete_many(self, task_ids: set[int]) -> int:
        return sum([await self.delete(i) for i in task_ids])


class InMemoryProjectRepository(InMemoryRepository[Project], ProjectRepository):
    async def owned_by(self, user_id: int) -> list[Project]:
        return self._where("owner_id", user_id)

    async def names_taken(self, owner_id: int | None, names: set[str]) -> set[str]:
        return {p.name for p in self.current().values() if p.owner_id == owner_id} & names


class InMemoryUserRepository(InMemoryRepository[User], Repository[User]):
    pass


class InMemoryIdempotencyStore(IdempotencyStore):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.staged: dict[tuple[str, str], tuple[str, Reply, datetime]] = {}

    async def claim(self, key: IdempotencyKey, now: datetime) -> Reply | None:
        replies = self._store.replies
        for name in [n for n, (_, _, expires) in replies.items() if expires < now]:
            del replies[name]
        stored = replies.get((key.scope, key.key))
        if stored is None:
            return None
        fingerprint, reply, _ = stored
        if fingerprint != key.fingerprint:
            raise IdempotencyMismatch()
        return reply

    async def record(self, key: IdempotencyKey, reply: Reply, expires_at: datetime) -> None:
        self.staged[(key.scope, key.key)] = (key.fingerprint, reply, expires_at)


class InMemoryUnitOfWork(UnitOfWork):
    tasks: InMemoryTaskRepository
    users: InMemoryUserRepository
    projects: InMemoryProjectRepository
    idempotency: InMemoryIdempotencyStore
    keys: InMemoryKeyRepository

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        store = self._store
        self.users = InMemoryUserRepository(store.users, store, "user", lambda u: u.email)
        self.projects = InMemoryProjectRepository(
            store.projects, store, "project", lambda p: (p.owner_id, p.name)
        )
        self.tasks = InMemoryTaskRepository(store.tasks, store, self.users, self.projects)
        self.idempotency = InMemoryIdempotencyStore(store)
        self.keys = InMemoryKeyRepository(store.partition(callers.current().workspace_id), store)
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    def _repositories(self) -> tuple[InMemoryRepository[Any], ...]:
        return (self.tasks, self.users, self.projects)

    async def commit(self) -> None:
        """Publish the staged changes, refusing them all if any version went stale."""
        for repository in self._repositories():
            if (identifier := repository.stale()) is not None:
                raise ConcurrentUpdate(repository._resource, identifier)
        for repository in self._repositories():
            repository.publish()
        self._store.replies.update(self.idempotency.staged)
        self.idempotency.staged.clear()
        self.keys.publish()
        self.committed = True

    async def rollback(self) -> None:
        for repository in self._repositories():
            repository.discard()
        self.idempotency.staged.clear()
        self.keys.discard()
