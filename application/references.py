from __future__ import annotations

from application.errors import InvalidReference
from application.ports import UnitOfWork


async def check_references(
    uow: UnitOfWork,
    *,
    project_id: int | None = None,
    assignee_id: int | None = None,
    owner_id: int | None = None,
) -> None:
    """Every id given must name an existing row; a missing one is reported by its field."""
    missing: dict[str, str] = {}
    if project_id is not None and not await uow.projects.exists(project_id):
        missing["project_id"] = "project"
    if assignee_id is not None and not await uow.users.exists(assignee_id):
        missing["assignee_id"] = "user"
    if owner_id is not None and not await uow.users.exists(owner_id):
        missing["owner_id"] = "user"
    if missing:
        raise InvalidReference(missing)
