"""API keys and workspaces: the rules of their use cases, on in-memory adapters."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

import pytest

from application.callers import Caller, acting_as
from application.errors import Conflict, Forbidden, InvalidCursor, LastAdminKey, NotFound
from application.key_secrets import IssuedSecret
from application.keys.create_key import CreateKey, CreateKeyHandler
from application.keys.list_keys import ListKeysHandler
from application.keys.revoke_key import RevokeKeyHandler
from application.pagination import PageQuery
from application.views import IssuedKey
from application.workspaces.create_workspace import CreateWorkspace, CreateWorkspaceHandler
from application.workspaces.find_workspace import FindWorkspaceHandler
from application.workspaces.list_workspaces import ListWorkspacesHandler
from domain.errors import DomainError
from domain.keys import ApiKey
from domain.workspaces import Role
from infrastructure.cursors import HmacCursorCodec
from infrastructure.memory.access import (
    InMemoryKeyReader,
    InMemoryWorkspaceFounding,
    InMemoryWorkspaceReader,
)
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 24, 17, 5, tzinfo=UTC)


class CountingSecrets:
    """Secrets that say which one they are: ``thx_0000000n_...``."""

    def __init__(self) -> None:
        self._n = itertools.count(1)

    def issue(self) -> IssuedSecret:
        n = next(self._n)
        prefix = f"{n:08d}"
        return IssuedSecret(f"thx_{prefix}_{'s' * 43}", prefix, n.to_bytes(32, "big"))


@pytest.fixture
def secrets() -> CountingSecrets:
    return CountingSecrets()


@pytest.fixture
def create_key(
    store: InMemoryStore, secrets: CountingSecrets, clock: FakeClock
) -> CreateKeyHandler:
    return CreateKeyHandler(lambda: InMemoryUnitOfWork(store), secrets, clock)


@pytest.fixture
def revoke_key(store: InMemoryStore) -> RevokeKeyHandler:
    return RevokeKeyHandler(lambda: InMemoryUnitOfWork(store))


@pytest.fixture
def list_keys(store: InMemoryStore) -> ListKeysHandler:
    return ListKeysHandler(InMemoryKeyReader(store), HmacCursorCodec(b"unit-tests"))


@pytest.fixture
def create_workspace(
    store: InMemoryStore, secrets: CountingSecrets, clock: FakeClock
) -> CreateWorkspaceHandler:
    return CreateWorkspaceHandler(lambda: InMemoryWorkspaceFounding(store), secrets, clock)


# --- the key -------------------------------------------------------------------------------------


def test_a_key_name_is_trimmed_and_1_to_120_characters() -> None:
    assert ApiKey.issue(name="  ci  ", role="reader", prefix="p", now=NOW).name == "ci"
    ApiKey.issue(name="n" * 120, role="reader", prefix="p", now=NOW)
    for name in ("", "   ", "n" * 121, "a\x00b"):
        with pytest.raises(DomainError) as refused:
            ApiKey.issue(name=name, role="reader", prefix="p", now=NOW)
        assert [v.field for v in refused.value.violations] == ["name"]


def test_a_key_role_is_reader_writer_or_admin_trimmed() -> None:
    assert ApiKey.issue(name="ci", role=" writer ", prefix="p", now=NOW).role is Role.WRITER
    with pytest.raises(DomainError) as refused:
        ApiKey.issue(name="", role="owner", prefix="p", now=NOW)
    assert [(v.field, v.code) for v in refused.value.violations] == [
        ("name", "string_too_short"),
        ("role", "enum"),
    ]
    assert refused.value.violations[1].message == "must be one of reader, writer, admin"


def test_a_key_is_issued_at_a_utc_instant() -> None:
    with pytest.raises(DomainError):
        ApiKey.issue(name="ci", role="reader", prefix="p", now=datetime(2026, 11, 24))


def test_only_an_admin_key_administers() -> None:
    assert [ApiKey.issue(name="k", role=r, prefix="p", now=NOW).administers for r in Role] == [
        False,
        False,
        True,
    ]


# --- creating keys -------------------------------------------------------------------------------


async def test_a_new_key_is_answered_with_its_secret_and_stored_with_its_hash_only(
    create_key: CreateKeyHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    issued = await create_key(CreateKey(" deploy ", "writer"))

    assert issued.secret == f"thx_00000001_{'s' * 43}"
    key = issued.key
    assert (key.name, key.role, key.prefix) == ("deploy", Role.WRITER, "00000001")
    assert (key.created_at, key.last_used_at) == (clock.now(), None)
    partition = store.partition(1)
    assert partition.key_hashes == {key.id: (1).to_bytes(32, "big")}
    assert issued.secret not in repr(issued)
    assert issued.secret not in repr(partition)


async def test_a_key_is_made_in_the_callers_workspace(
    create_key: CreateKeyHandler, store: InMemoryStore
) -> None:
    with acting_as(Caller(7, Role.ADMIN)):
        issued = await create_key(CreateKey("ci", "reader"))
    assert list(store.partition(7).keys) == [issued.key.id]
    assert store.partition(1).keys == {}


async def test_a_broken_rule_stores_no_key(
    create_key: CreateKeyHandler, store: InMemoryStore
) -> None:
    with pytest.raises(DomainError):
        await create_key(CreateKey("ci", "root"))
    assert store.partition(1).keys == {}


@pytest.mark.parametrize("role", [Role.READER, Role.WRITER])
async def test_only_an_admin_manages_keys(
    role: Role,
    create_key: CreateKeyHandler,
    list_keys: ListKeysHandler,
    revoke_key: RevokeKeyHandler,
) -> None:
    issued = await create_key(CreateKey("ci", "admin"))
    with acting_as(Caller(1, role)):
        with pytest.raises(Forbidden):
            await create_key(CreateKey("ci", "reader"))
        with pytest.raises(Forbidden):
            await list_keys(PageQuery())
        with pytest.raises(Forbidden):
            await revoke_key(issued.key.id)


# --- listing keys --------------------------------------------------------------------------------


async def make_keys(create_key: CreateKeyHandler, clock: FakeClock, n: int) -> list[IssuedKey]:
    made = []
    for i in range(n):
        made.append(await create_key(CreateKey(f"k{i}", "reader")))
        clock.advance(seconds=1)
    return made


async def test_keys_are_listed_oldest_first_a_page_at_a_time(
    create_key: CreateKeyHandler, list_keys: ListKeysHandler, clock: FakeClock
) -> None:
    made = [issued.key for issued in await make_keys(create_key, clock, 5)]

    first = await list_keys(PageQuery(limit=2))
    assert (first.items, first.total) == (made[:2], 5)
    seen = list(first.items)
    cursor = first.next_cursor
    while cursor is not None:
        page = await list_keys(PageQuery(limit=2, cursor=cursor))
        assert page.total is None
        seen += page.items
        cursor = page.next_cursor
    assert seen == made
    assert (await list_keys(PageQuery(limit=2, offset=4))).items == made[4:]


async def test_a_key_page_holds_no_secret(
    create_key: CreateKeyHandler, list_keys: ListKeysHandler, clock: FakeClock
) -> None:
    issued = await make_keys(create_key, clock, 2)
    page = await list_keys(PageQuery())
    assert all(i.secret not in repr(page) for i in issued)
    assert not any(hasattr(view, "secret") or hasattr(view, "key_hash") for view in page.items)


async def test_keys_are_listed_in_the_callers_workspace_only(
    create_key: CreateKeyHandler, list_keys: ListKeysHandler
) -> None:
    mine = await create_key(CreateKey("mine", "reader"))
    with acting_as(Caller(7, Role.ADMIN)):
        await create_key(CreateKey("theirs", "reader"))
    assert [k.name for k in (await list_keys(PageQuery())).items] == [mine.key.name]


async def test_a_cursor_of_another_listing_is_refused(
    create_key: CreateKeyHandler, list_keys: ListKeysHandler, clock: FakeClock
) -> None:
    await make_keys(create_key, clock, 2)
    foreign = HmacCursorCodec(b"unit-tests").encode((NOW, 1), "users|name")
    with pytest.raises(InvalidCursor):
        await list_keys(PageQuery(cursor=foreign))


# --- revoking keys -------------------------------------------------------------------------------


async def test_a_revoked_key_is_gone(
    create_key: CreateKeyHandler,
    revoke_key: RevokeKeyHandler,
    list_keys: ListKeysHandler,
    store: InMemoryStore,
) -> None:
    admin = await create_key(CreateKey("admin", "admin"))
    reader = await create_key(CreateKey("ci", "reader"))

    await revoke_key(reader.key.id)

    assert [k.id for k in (await list_keys(PageQuery())).items] == [admin.key.id]
    assert list(store.partition(1).key_hashes) == [admin.key.id]


async def test_revoking_an_unknown_key_or_another_workspaces_is_not_found(
    create_key: CreateKeyHandler, revoke_key: RevokeKeyHandler, store: InMemoryStore
) -> None:
    with acting_as(Caller(7, Role.ADMIN)):
        theirs = await create_key(CreateKey("theirs", "reader"))
    with pytest.raises(NotFound, match=f"^API key {theirs.key.id} does not exist$"):
        await revoke_key(theirs.key.id)
    with pytest.raises(NotFound):
        await revoke_key(999)
    assert list(store.partition(7).keys) == [theirs.key.id]


async def test_the_last_admin_key_of_a_workspace_is_kept(
    create_key: CreateKeyHandler, revoke_key: RevokeKeyHandler, store: InMemoryStore
) -> None:
    first = await create_key(CreateKey("first", "admin"))
    second = await create_key(CreateKey("second", "admin"))
    await create_key(CreateKey("writer", "writer"))
    with acting_as(Caller(7, Role.ADMIN)):
        await create_key(CreateKey("elsewhere", "admin"))  # counts in its own workspace only

    await revoke_key(first.key.id)
    with pytest.raises(LastAdminKey, match="last admin key") as refused:
        await revoke_key(second.key.id)

    assert isinstance(refused.value, Conflict)
    assert second.key.id in store.partition(1).keys


async def test_two_revocations_of_the_last_two_admin_keys_leave_one(
    create_key: CreateKeyHandler, store: InMemoryStore
) -> None:
    keys = [await create_key(CreateKey(f"admin {i}", "admin")) for i in range(2)]

    class Interleaving(InMemoryUnitOfWork):
        """Lets the other revocation run between each step of this one."""

        async def __aenter__(self) -> Interleaving:
            await super().__aenter__()
            for name in ("hold", "get", "admins", "delete"):
                step = getattr(self.keys, name)

                async def yielding(*args: object, _step: object = step) -> object:
                    await asyncio.sleep(0)
                    return await _step(*args)  # type: ignore[operator]

                setattr(self.keys, name, yielding)
            return self

    revoke = RevokeKeyHandler(lambda: Interleaving(store))
    results = await asyncio.gather(*(revoke(k.key.id) for k in keys), return_exceptions=True)

    assert sorted(type(r).__name__ for r in results) == ["LastAdminKey", "NoneType"]
    assert len(store.partition(1).keys) == 1


# --- workspaces ----------------------------------------------------------------------------------


async def test_a_new_workspace_comes_with_its_first_admin_key(
    create_workspace: CreateWorkspaceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    founded = await create_workspace(CreateWorkspace("  acme "))

    workspace = founded.workspace
    assert (workspace.name, workspace.created_at) == ("acme", clock.now())
    assert workspace.id == 2  # after default
    key = founded.key.key
    assert (key.name, key.role, key.prefix) == ("admin", Role.ADMIN, "00000001")
    assert founded.key.secret.startswith("thx_00000001_")
    assert list(store.partition(workspace.id).keys) == [key.id]
    assert store.partition(workspace.id).key_hashes[key.id] == (1).to_bytes(32, "big")


async def test_a_workspace_name_is_unique(
    create_workspace: CreateWorkspaceHandler, store: InMemoryStore
) -> None:
    await create_workspace(CreateWorkspace("acme"))
    with pytest.raises(Conflict, match="a workspace named 'acme' already exists"):
        await create_workspace(CreateWorkspace("acme"))
    with pytest.raises(Conflict):
        await create_workspace(CreateWorkspace("default"))
    assert sorted(w.name for w in store.workspaces.values()) == ["acme", "default"]
    assert sum(len(p.keys) for p in store.partitions.values()) == 1


async def test_a_workspace_needs_a_name(
    create_workspace: CreateWorkspaceHandler, store: InMemoryStore
) -> None:
    with pytest.raises(DomainError):
        await create_workspace(CreateWorkspace(" "))
    assert [w.name for w in store.workspaces.values()] == ["default"]


async def test_a_workspace_whose_key_cannot_be_stored_is_not_made(
    store: InMemoryStore, clock: FakeClock
) -> None:
    class Breaking(InMemoryWorkspaceFounding):
        async def commit(self) -> None:
            raise RuntimeError("the disk is full")

    handler = CreateWorkspaceHandler(lambda: Breaking(store), CountingSecrets(), clock)
    with pytest.raises(RuntimeError):
        await handler(CreateWorkspace("acme"))
    assert [w.name for w in store.workspaces.values()] == ["default"]
    assert not any(p.keys for p in store.partitions.values())


async def test_workspaces_are_listed_by_name_and_found_by_name(
    create_workspace: CreateWorkspaceHandler, store: InMemoryStore
) -> None:
    for name in ("zeta", "acme"):
        await create_workspace(CreateWorkspace(name))
    reader = InMemoryWorkspaceReader(store)

    assert [w.name for w in await ListWorkspacesHandler(reader)()] == ["acme", "default", "zeta"]
    assert (await FindWorkspaceHandler(reader)(" acme ")).name == "acme"
    with pytest.raises(NotFound, match=r"^workspace 'nope' does not exist$"):
        await FindWorkspaceHandler(reader)("nope")


async def test_a_store_knows_whether_any_workspace_has_a_key(
    create_workspace: CreateWorkspaceHandler, store: InMemoryStore
) -> None:
    reader = InMemoryWorkspaceReader(store)
    assert not await reader.has_keys()
    await create_workspace(CreateWorkspace("acme"))
    assert await reader.has_keys()
