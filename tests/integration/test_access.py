"""Workspaces and their API keys in SQL, on SQLite and PostgreSQL (row-level security on)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from application.callers import Caller, acting_as
from application.errors import Conflict, LastAdminKey, NotFound
from application.keys.create_key import CreateKey
from application.keys.revoke_key import RevokeKeyHandler
from application.pagination import PageQuery
from application.views import IssuedKey
from application.workspaces.create_workspace import CreateWorkspace
from domain.workspaces import Role
from infrastructure.auth.api_keys import hash_key_from, hash_of
from infrastructure.persistence.access.key_repository import SqlKeyRepository
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.persistence.workspaces.keys import SqlKeyStore
from infrastructure.persistence.workspaces.table import api_key, workspace
from interfaces.container import Container
from tests.support.databases import operator


def hash_for(container: Container, issued: IssuedKey) -> bytes:
    return hash_of(issued.secret, hash_key_from(container.settings()))


async def rows(container: Container, table: Any) -> int:
    """As the login role (on PostgreSQL the tests' superuser, whom no policy hides rows from)."""
    async with operator(container.engine()) as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_new_workspace_is_stored_with_its_first_admin_key(container: Container) -> None:
    founded = await container.create_workspace()(CreateWorkspace("acme"))

    assert founded.workspace.name == "acme"
    found = await SqlKeyStore(container.engine()).find(hash_for(container, founded.key))
    assert found is not None
    assert (found.id, found.workspace_id, found.role) == (
        founded.key.key.id,
        founded.workspace.id,
        Role.ADMIN,
    )
    with acting_as(Caller(founded.workspace.id, Role.ADMIN)):
        page = await container.list_keys()(PageQuery())
    assert page.items == [founded.key.key]
    assert (await container.list_keys()(PageQuery())).items == []  # not in default


async def test_a_taken_workspace_name_is_a_conflict_and_stores_nothing(
    container: Container,
) -> None:
    await container.create_workspace()(CreateWorkspace("acme"))
    for taken in ("acme", " acme ", "default"):
        with pytest.raises(Conflict, match="already exists"):
            await container.create_workspace()(CreateWorkspace(taken))
    assert await rows(container, workspace) == 2
    assert await rows(container, api_key) == 1


async def test_workspaces_are_listed_by_name_and_found_by_name(container: Container) -> None:
    for name in ("zeta", "acme"):
        await container.create_workspace()(CreateWorkspace(name))
    listed = await container.list_workspaces()()
    assert [w.name for w in listed] == ["acme", "default", "zeta"]
    assert await container.find_workspace()("zeta") == listed[2]
    with pytest.raises(NotFound):
        await container.find_workspace()("Zeta")


async def test_a_key_is_listed_without_its_secret_and_refused_once_revoked(
    container: Container,
) -> None:
    admin = await container.create_key()(CreateKey("admin", "admin"))
    reader = await container.create_key()(CreateKey(" ci ", "reader"))
    store = SqlKeyStore(container.engine())
    assert await store.find(hash_for(container, reader)) is not None

    page = await container.list_keys()(PageQuery())
    assert page.items == [admin.key, reader.key]
    assert (page.total, page.next_cursor) == (2, None)
    assert reader.key.name == "ci"
    assert reader.secret not in repr(page)

    await container.revoke_key()(reader.key.id)
    assert await store.find(hash_for(container, reader)) is None
    assert (await container.list_keys()(PageQuery())).items == [admin.key]


async def test_keys_are_paged_by_cursor_oldest_first(container: Container) -> None:
    made = [(await container.create_key()(CreateKey(f"k{i}", "reader"))).key for i in range(5)]
    first = await container.list_keys()(PageQuery(limit=2))
    seen, cursor = list(first.items), first.next_cursor
    while cursor is not None:
        page = await container.list_keys()(PageQuery(limit=2, cursor=cursor))
        seen += page.items
        cursor = page.next_cursor
    assert seen == made
    assert (await container.list_keys()(PageQuery(limit=2, offset=3))).items == made[3:]


async def test_another_workspaces_key_is_not_found_and_stays(container: Container) -> None:
    founded = await container.create_workspace()(CreateWorkspace("acme"))
    with pytest.raises(NotFound):
        await container.revoke_key()(founded.key.key.id)
    with pytest.raises(NotFound):
        await container.revoke_key()(2**62)
    assert await SqlKeyStore(container.engine()).find(hash_for(container, founded.key))


async def test_the_last_admin_key_of_a_workspace_is_kept(container: Container) -> None:
    founded = await container.create_workspace()(CreateWorkspace("acme"))
    await container.create_key()(CreateKey("default's admin", "admin"))
    with acting_as(Caller(founded.workspace.id, Role.ADMIN)):
        writer = await container.create_key()(CreateKey("writer", "writer"))
        with pytest.raises(LastAdminKey):
            await container.revoke_key()(founded.key.key.id)
        await container.revoke_key()(writer.key.id)
    assert await SqlKeyStore(container.engine()).find(hash_for(container, founded.key))


class Pausing(SqlUnitOfWork):
    """A unit of work whose key repository waits, after counting the admin keys, until
    ``go`` is set; ``counted`` tells when it got there."""

    def __init__(self, container: Container, counted: asyncio.Event, go: asyncio.Event) -> None:
        super().__init__(container.engine())
        self._counted, self._go = counted, go

    async def __aenter__(self) -> Pausing:
        await super().__aenter__()
        keys: SqlKeyRepository = self.keys
        count = keys.admins

        async def admins() -> int:
            found = await count()
            self._counted.set()
            await self._go.wait()
            return found

        keys.admins = admins  # type: ignore[method-assign]
        return self


async def test_two_revocations_of_the_last_two_admin_keys_leave_one(
    container: Container,
) -> None:
    keys = [await container.create_key()(CreateKey(f"admin {i}", "admin")) for i in range(2)]
    counted, go = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(
        RevokeKeyHandler(lambda: Pausing(container, counted, go))(keys[0].key.id)
    )
    await counted.wait()  # the first has held the keys and counted two admins
    second = asyncio.create_task(container.revoke_key()(keys[1].key.id))
    await asyncio.sleep(0.3)  # the second would count two as well, without the hold
    waited = not second.done()
    go.set()
    results = await asyncio.gather(first, second, return_exceptions=True)

    assert waited
    assert results[0] is None
    assert isinstance(results[1], LastAdminKey)
    assert [k.id for k in (await container.list_keys()(PageQuery())).items] == [keys[1].key.id]


async def test_concurrent_revocations_never_remove_every_admin_key(
    container: Container,
) -> None:
    keys = [await container.create_key()(CreateKey(f"admin {i}", "admin")) for i in range(4)]
    revoke: Callable[[int], Any] = container.revoke_key()
    results = await asyncio.gather(*(revoke(k.key.id) for k in keys), return_exceptions=True)

    assert sum(isinstance(r, LastAdminKey) for r in results) == 1, results
    assert sum(r is None for r in results) == 3, results
    assert len((await container.list_keys()(PageQuery())).items) == 1


async def test_a_store_knows_whether_any_workspace_has_a_key(container: Container) -> None:
    if container.engine().dialect.name == "postgresql":
        pytest.skip("only SQLite is asked: outside a workspace row-level security hides every key")
    reader = container.workspace_reader()
    assert not await reader.has_keys()
    await container.create_workspace()(CreateWorkspace("acme"))
    assert await reader.has_keys()
