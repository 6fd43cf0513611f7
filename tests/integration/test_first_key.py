"""The key ``taskhex serve`` makes: on SQLite only, and only while no key exists at all."""

from __future__ import annotations

from application.keys.create_key import CreateKey
from application.pagination import PageQuery
from application.workspaces.create_workspace import CreateWorkspace
from domain.workspaces import Role
from interfaces.cli.first_key import first_key
from interfaces.container import Container


async def test_a_fresh_sqlite_database_gets_one_admin_key_of_default_and_postgres_none(
    container: Container,
) -> None:
    issued = await first_key(container)

    listed = (await container.list_keys()(PageQuery())).items
    if container.engine().dialect.name == "postgresql":
        assert (issued, listed) == (None, [])
        return
    assert issued is not None
    assert issued.secret.startswith(f"thx_{issued.key.prefix}_")
    assert (issued.key.role, issued.key.name) == (Role.ADMIN, "made by taskhex serve")
    assert listed == [issued.key]  # in default, the caller of this test
    assert await first_key(container) is None
    assert len((await container.list_keys()(PageQuery())).items) == 1


async def test_no_first_key_once_any_workspace_has_one(container: Container) -> None:
    await container.create_workspace()(CreateWorkspace("acme"))
    assert await first_key(container) is None
    assert (await container.list_keys()(PageQuery())).items == []


async def test_no_first_key_beside_a_key_of_default(container: Container) -> None:
    made = await container.create_key()(CreateKey("mine", "reader"))
    assert await first_key(container) is None
    assert (await container.list_keys()(PageQuery())).items == [made.key]
