"""API keys for tests, stored as the service stores them (the keyed hash, in a workspace)."""

from __future__ import annotations

from sqlalchemy import insert

from domain.workspaces import Role
from infrastructure.auth.api_keys import hash_key_from, new_secret
from infrastructure.clock import SystemClock
from infrastructure.persistence.workspaces import isolation
from infrastructure.persistence.workspaces.table import api_key, workspace
from interfaces.container import Container


async def issue_key(container: Container, role: Role = Role.ADMIN, workspace_id: int = 1) -> str:
    """A new key of ``role`` in ``workspace_id``; its secret, to send as a bearer token."""
    issued = new_secret(hash_key_from(container.settings()))
    async with container.engine().begin() as connection:
        await isolation.enter(connection, workspace_id)
        await connection.execute(
            insert(api_key).values(
                workspace_id=workspace_id,
                name=f"test {role.value}",
                role=role.value,
                prefix=issued.prefix,
                key_hash=issued.key_hash,
                created_at=SystemClock().now(),
            )
        )
    return issued.secret


async def make_workspace(container: Container, name: str) -> int:
    """A new workspace (``empty_tables`` removes every one but ``default``); its id."""
    async with container.engine().begin() as connection:
        made = await connection.scalar(
            insert(workspace)
            .values(name=name, created_at=SystemClock().now())
            .returning(workspace.c.id)
        )
    assert made is not None
    return int(made)


def unknown_key() -> str:
    """A key of the right shape that no store knows: checking it asks the database."""
    return new_secret(b"not the service's hash key").secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
