from __future__ import annotations

from sqlalchemy import bindparam, select

from application.ports import ProjectRepository
from domain.projects import Project
from infrastructure.persistence import scope
from infrastructure.persistence.projects.table import project
from infrastructure.persistence.repository import SqlRepository


class SqlProjectRepository(SqlRepository[Project], ProjectRepository):
    table = project
    resource = "project"
    conflict = "a project with this name already exists for this owner"
    aggregate = Project

    async def owned_by(self, user_id: int) -> list[Project]:
        return await self._load(project.c.owner_id == bindparam("user"), {"user": user_id}, True)

    async def names_taken(self, owner_id: int | None, names: set[str]) -> set[str]:
        if not names:
            return set()
        owner = project.c.owner_id
        statement = select(project.c.name).where(
            scope.of(project),
            owner.is_(None) if owner_id is None else owner == owner_id,
            project.c.name.in_(names),
        )
        return set(await self._connection.scalars(statement))
