from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from application import callers
from application.idempotency_keys import Reply
from domain.keys import ApiKey
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from domain.workspaces import Workspace


@dataclass
class Partition:
    """The committed state of one workspace."""

    tasks: dict[int, Task] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    replies: dict[tuple[str, str], tuple[str, Reply, datetime]] = field(default_factory=dict)
    keys: dict[int, ApiKey] = field(default_factory=dict)
    key_hashes: dict[int, bytes] = field(default_factory=dict)
    keys_held: asyncio.Lock = field(default_factory=asyncio.Lock)
    """What ``KeyRepository.hold`` takes, until the unit of work ends."""


def _default_workspace() -> dict[int, Workspace]:
    """What the migrations make: ``default``, with id 1."""
    return {1: Workspace(id=1, name="default", created_at=datetime(2026, 1, 1, tzinfo=UTC))}


@dataclass
class InMemoryStore:
    """The committed state shared by in-memory units of work and readers, kept per
    workspace: each of its collections is the caller's (``callers.current``). Ids are
    shared, as a database's sequences are."""

    partitions: dict[int, Partition] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    workspaces: dict[int, Workspace] = field(default_factory=_default_workspace)
    """Every workspace, outside the partitions (their table has no workspace)."""
    workspace_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(2))

    def partition(self, workspace_id: int) -> Partition:
        return self.partitions.setdefault(workspace_id, Partition())

    def _mine(self) -> Partition:
        return self.partition(callers.current().workspace_id)

    @property
    def tasks(self) -> dict[int, Task]:
        return self._mine().tasks

    @property
    def users(self) -> dict[int, User]:
        return self._mine().users

    @property
    def projects(self) -> dict[int, Project]:
        return self._mine().projects

    @property
    def replies(self) -> dict[tuple[str, str], tuple[str, Reply, datetime]]:
        return self._mine().replies

    @property
    def keys(self) -> dict[int, ApiKey]:
        return self._mine().keys
