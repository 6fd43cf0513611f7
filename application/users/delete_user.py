from __future__ import annotations

from collections.abc import Callable

from application.errors import Conflict, NotFound
from application.ports import Clock, UnitOfWork


class DeleteUserHandler:
    """The user's tasks stay, unassigned; their projects stay, without an owner.

    Each task and project so changed is a change of its own (a new version), in
    the same transaction as the deletion. Projects without an owner have unique
    names too: when one of the user's projects has the name of a project that
    has no owner, nothing is deleted (``Conflict`` names the projects).
    """

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, user_id: int) -> None:
        async with self._uow() as uow:
            # Locked first, so that two deletions of one user queue instead of deadlocking.
            if await uow.users.get(user_id, for_update=True) is None:
                raise NotFound("user", user_id)
            now = self._clock.now()
            tasks = await uow.tasks.assigned_to(user_id)
            for task in tasks:
                task.unassign(now)
            await uow.tasks.save_many(tasks)
            projects = await uow.projects.owned_by(user_id)
            if taken := await uow.projects.names_taken(None, {p.name for p in projects}):
                names = ", ".join(repr(name) for name in sorted(taken))
                raise Conflict(
                    f"user {user_id} owns projects named {names}, and projects without an "
                    "owner already have those names: rename or delete one of each pair first"
                )
            for project in projects:
                project.disown(now)
            await uow.projects.save_many(projects)
            await uow.users.delete(user_id)
            await uow.commit()
