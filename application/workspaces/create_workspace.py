from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from application.ports import Clock, KeySecrets, WorkspaceFounding
from application.views import FoundedWorkspace, IssuedKey, KeyView, WorkspaceView
from domain.keys import ApiKey
from domain.workspaces import Role, Workspace

FIRST_KEY_NAME: Final = "admin"


@dataclass(frozen=True)
class CreateWorkspace:
    name: str


class CreateWorkspaceHandler:
    """A workspace is made by an operator, outside every workspace, with its first admin
    key in the same transaction: no workspace is ever without one. A taken name is a
    ``Conflict``."""

    def __init__(
        self, founding: Callable[[], WorkspaceFounding], secrets: KeySecrets, clock: Clock
    ) -> None:
        self._founding = founding
        self._secrets = secrets
        self._clock = clock

    async def __call__(self, command: CreateWorkspace) -> FoundedWorkspace:
        now = self._clock.now()
        workspace = Workspace.create(command.name, now)
        issued = self._secrets.issue()
        key = ApiKey.issue(name=FIRST_KEY_NAME, role=Role.ADMIN, prefix=issued.prefix, now=now)
        async with self._founding() as founding:
            workspace = await founding.workspaces.add(workspace)
            assert workspace.id is not None
            keys = await founding.enter(workspace.id)
            key = await keys.add(key, issued.key_hash)
            await founding.commit()
        return FoundedWorkspace(
            WorkspaceView.of(workspace), IssuedKey(KeyView.of(key), issued.secret)
        )
