from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from application.idempotency_keys import Reply
from domain.projects import Project
from domain.tasks import Task
from domain.users import User


@dataclass
class InMemoryStore:
    """The committed state shared by in-memory units of work and readers."""

    tasks: dict[int, Task] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    replies: dict[tuple[str, str], tuple[str, Reply, datetime]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
