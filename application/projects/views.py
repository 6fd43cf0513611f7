from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.projects import Project
from domain.values import Status


@dataclass(frozen=True, slots=True)
class ProjectView:
    id: int
    name: str
    description: str | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    task_counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))

    @classmethod
    def of(cls, project: Project, task_counts: dict[Status, int] | None = None) -> ProjectView:
        assert project.id is not None, "only a stored project has a view"
        counts = dict.fromkeys(Status, 0) | (task_counts or {})
        return cls(
            project.id,
            project.name,
            project.description,
            project.owner_id,
            project.created_at,
            project.updated_at,
            project.version,
            counts,
        )
