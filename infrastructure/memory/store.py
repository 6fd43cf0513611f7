from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from application import callers
from application.idempotency_keys import Reply
from domain.projects import Project
from domain.tasks import Task
from domain.users import User


@dataclass
class Partition:
    """The committed state of one workspace."""

    tasks: dict[int, Task] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    replies: dict[tuple[str, str], tuple[str, Reply, datetime]] = field(default_factory=dict)


@dataclass
class InMemoryStore:
    """The committed state shared by in-memory units of work and readers, kept per
    workspace: each of its collections is the caller's (``callers.current``). Ids are
    shared, as a database's sequences are."""

    partitions: dict[int, Partition] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _mine(self) -> Partition:
        return self.partitions.setdefault(callers.current().workspace_id, Partition())

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
