from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from domain.projects import Project
from domain.tasks import Task
from domain.users import User


@dataclass
class InMemoryStore:
    """The committed state shared by in-memory units of work and readers."""

    tasks: dict[int, Task] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
