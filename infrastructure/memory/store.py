from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from domain.tasks import Task


@dataclass
class InMemoryStore:
    """The committed state shared by in-memory units of work and readers."""

    tasks: dict[int, Task] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
