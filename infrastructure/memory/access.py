"""Workspaces and their API keys in memory: the fakes of ``persistence.access``."""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import Self

from application.errors import Conflict
from application.pagination import Page, PageRequest
from application.ports import (
    KeyReader,
    KeyRepository,
    WorkspaceFounding,
    WorkspaceReader,
    WorkspaceRepository,
)
from application.views import KeyView, WorkspaceView
from domain.keys import ApiKey
from domain.workspaces import Workspace
from infrastructure.memory.paging import page_of
from infrastructure.memory.store import InMemoryStore, Partition


class InMemoryKeyRepository(KeyRepository):
    """Stages every change; nothing reaches the partition until ``publish``."""

    def __init__(self, partition: Partition, store: InMemoryStore) -> None:
        self._partition = partition
        self._store = store
        self.added: dict[int, tuple[ApiKey, bytes]] = {}
        self.removed: set[int] = set()
        self._holding = False

    def current(self) -> dict[int, ApiKey]:
        merged = {**self._partition.keys, **{i: key for i, (key, _) in self.added.items()}}
        return {i: key for i, key in merged.items() if i not in self.removed}

    async def add(self, key: ApiKey, key_hash: bytes) -> ApiKey:
        stored = dataclasses.replace(key, id=next(self._store.ids))
        self.added[stored.id] = (stored, key_hash)  # type: ignore[index]
        return stored

    async def get(self, key_id: int) -> ApiKey | None:
        return self.current().get(key_id)

    async def hold(self) -> None:
        if not self._holding:
            await self._partition.keys_held.acquire()
            self._holding = True

    async def admins(self) -> int:
        return sum(key.administers for key in self.current().values())

    async def delete(self, key_id: int) -> bool:
        if key_id not in self.current():
            return False
        self.removed.add(key_id)
        return True

    def publish(self) -> None:
        for identifier, (key, key_hash) in self.added.items():
            self._partition.keys[identifier] = key
            self._partition.key_hashes[identifier] = key_hash
        for identifier in self.removed:
            self._partition.keys.pop(identifier, None)
            self._partition.key_hashes.pop(identifier, None)
        self.discard()

    def discard(self) -> None:
        self.added.clear()
        self.removed.clear()
        if self._holding:
            self._holding = False
            self._partition.keys_held.release()


class InMemoryKeyReader(KeyReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def list(self, page: PageRequest) -> Page[KeyView]:
        found = sorted(self._store.keys.values(), key=lambda k: (k.created_at, k.id))
        return page_of([KeyView.of(k) for k in found], page, lambda k: (k.created_at, k.id))


class InMemoryWorkspaceRepository(WorkspaceRepository):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.added: dict[int, Workspace] = {}

    async def add(self, workspace: Workspace) -> Workspace:
        names = {w.name for w in (*self._store.workspaces.values(), *self.added.values())}
        if workspace.name in names:
            raise Conflict(f"a workspace named {workspace.name!r} already exists")
        stored = dataclasses.replace(workspace, id=next(self._store.workspace_ids))
        self.added[stored.id] = stored  # type: ignore[index]
        return stored


class InMemoryWorkspaceFounding(WorkspaceFounding):
    workspaces: InMemoryWorkspaceRepository

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self.workspaces = InMemoryWorkspaceRepository(self._store)
        self._keys: list[InMemoryKeyRepository] = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for keys in self._keys:
            keys.discard()

    async def enter(self, workspace_id: int) -> KeyRepository:
        keys = InMemoryKeyRepository(self._store.partition(workspace_id), self._store)
        self._keys.append(keys)
        return keys

    async def commit(self) -> None:
        self._store.workspaces.update(self.workspaces.added)
        for keys in self._keys:
            keys.publish()
        self.committed = True


class InMemoryWorkspaceReader(WorkspaceReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def named(self, name: str) -> WorkspaceView | None:
        found = [w for w in self._store.workspaces.values() if w.name == name]
        return WorkspaceView.of(found[0]) if found else None

    async def list(self) -> list[WorkspaceView]:
        found = sorted(self._store.workspaces.values(), key=lambda w: (w.name, w.id))
        return [WorkspaceView.of(w) for w in found]

    async def has_keys(self) -> bool:
        return any(p.keys for p in self._store.partitions.values())
