"""Workspaces kept apart by PostgreSQL itself: forced row-level security and a runtime role.

The service's own scope (``scope.of``) is left out on purpose here: each test
writes statements that forget the workspace, or binds one workspace while the
transaction is in another, and shows that no foreign row is read or written,
although the tests log in as a superuser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.util import greenlet_spawn

from application.callers import Caller, acting_as
from application.tasks.create_task import CreateTask
from domain.workspaces import Role
from infrastructure.persistence import schema, scope
from infrastructure.persistence.scope import InWorkspace
from infrastructure.persistence.tasks.repository import SqlTaskRepository
from infrastructure.persistence.workspaces import isolation
from infrastructure.persistence.workspaces.table import workspace
from interfaces.container import Container, dispose
from tests.support.databases import empty_tables, make_container, operator
from tests.support.keys import make_workspace

pytestmark = pytest.mark.postgres


@pytest.fixture
async def two(postgres_url: str) -> AsyncIterator[tuple[Container, int, int]]:
    """A container, and two workspaces with three tasks in the first and two in the other."""
    container = make_container(postgres_url)
    await empty_tables(container.engine())
    async with container.engine().begin() as connection:
        other = await connection.scalar(
            insert(workspace)
            .values(name="other", created_at=datetime.now(UTC))
            .returning(workspace.c.id)
        )
    assert other is not None
    for workspace_id, count in ((1, 3), (other, 2)):
        with acting_as(Caller(workspace_id, Role.WRITER)):
            for n in range(count):
                await container.create_task()(CreateTask(title=f"{workspace_id}-{n}", tags=["t"]))
    yield container, 1, other
    await empty_tables(container.engine())
    await dispose(container)


async def test_every_table_with_a_workspace_has_forced_row_level_security_and_a_policy(
    postgres_url: str,
) -> None:
    container = make_container(postgres_url)
    async with container.engine().connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                    " array(SELECT polname FROM pg_policy WHERE polrelid = c.oid"
                    " ORDER BY polname) AS policies"
                    " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                    " WHERE a.attname = 'workspace_id' AND c.relkind = 'r'"
                    " AND c.relnamespace = current_schema()::regnamespace"
                )
            )
        ).all()
    await dispose(container)
    found = {row.relname: row for row in rows}
    # Every table the models scope, and no other, has the column in the database.
    assert set(found) == {t.name for t in schema.metadata.tables.values() if scope.is_scoped(t)}
    for row in rows:
        assert row.relrowsecurity, row
        assert row.relforcerowsecurity, row
        assert isolation.POLICY in row.policies, row


async def test_a_statement_that_forgets_the_workspace_sees_and_changes_only_its_own(
    two: tuple[Container, int, int],
) -> None:
    container, _, other = two
    async with container.engine().connect() as connection:
        await isolation.enter(connection, other)
        assert await connection.scalar(text("SELECT count(*) FROM task")) == 2
        assert await connection.scalar(text("SELECT count(*) FROM task_tag")) == 2
        assert await connection.scalar(text("SELECT count(*) FROM tag")) == 1
        changed = await connection.execute(text("UPDATE task SET title = 'mine now'"))
        assert changed.rowcount == 2
        removed = await connection.execute(text("DELETE FROM task_tag"))
        assert removed.rowcount == 2
        await connection.commit()
    async with operator(container.engine()) as connection:
        titles = (await connection.execute(text("SELECT title FROM task ORDER BY id"))).scalars()
        links = await connection.scalar(text("SELECT count(*) FROM task_tag"))
    # As the superuser the tests log in as, outside any workspace: everything.
    assert list(titles) == ["1-0", "1-1", "1-2", "mine now", "mine now"]
    assert links == 3


async def test_a_row_cannot_be_written_into_another_workspace(
    two: tuple[Container, int, int],
) -> None:
    container, mine, other = two
    async with container.engine().connect() as connection:
        await isolation.enter(connection, other)
        with pytest.raises(DBAPIError, match="row-level security"):
            await connection.execute(
                text("INSERT INTO tag (name, workspace_id) VALUES ('planted', :mine)").bindparams(
                    mine=mine
                )
            )
    async with container.engine().connect() as connection:
        await isolation.enter(connection, other)
        with pytest.raises(DBAPIError, match="row-level security"):
            await connection.execute(text("UPDATE task SET workspace_id = :mine"), {"mine": mine})


async def test_a_unit_of_work_bound_to_one_workspace_in_a_transaction_of_another_finds_nothing(
    two: tuple[Container, int, int],
) -> None:
    """The application's scope says one workspace, the transaction another: the database
    wins, so a mistake in the scope cannot hand out a foreign row."""
    container, mine, other = two
    async with container.engine().connect() as connection:
        await isolation.enter(connection, other)
        tasks = SqlTaskRepository(InWorkspace(connection, mine))
        ids = set(await connection.scalars(select(schema.TaskRow.__table__.c.id)))  # type: ignore[attr-defined]
        assert len(ids) == 2
        foreign = await connection.scalars(
            text("SELECT id FROM task WHERE workspace_id = :mine"), {"mine": mine}
        )
        assert list(foreign) == []
        assert await tasks.get_many(ids) == []
        assert await tasks.delete_many(ids) == 0


@pytest.mark.parametrize("pooled", [False, True], ids=["direct", "behind a pooler"])
async def test_no_setting_outlives_its_transaction(postgres_url: str, pooled: bool) -> None:
    """The workspace ends with its transaction. The role does too behind a pooler; on a
    direct connection the session is the runtime role's from the start."""
    container = make_container(postgres_url, db_pooler="transaction" if pooled else "none")
    try:
        await empty_tables(container.engine())
        await container.create_task()(CreateTask(title="in default"))
        async with container.engine().connect() as connection:
            await isolation.enter(connection, 1)
            assert await connection.scalar(text("SELECT count(*) FROM task")) == 1
            assert await connection.scalar(text("SELECT current_user")) == isolation.RUNTIME_ROLE
            await connection.commit()
            setting = await connection.scalar(
                text(f"SELECT current_setting('{isolation.WORKSPACE_SETTING}', true)")
            )
            role = await connection.scalar(text("SELECT current_user"))
            visible = await connection.scalar(text("SELECT count(*) FROM task"))
    finally:
        await dispose(container)
    assert setting in (None, "")
    if pooled:
        assert (role, visible) == ("postgres", 1)  # the superuser the tests log in as
    else:
        assert (role, visible) == (isolation.RUNTIME_ROLE, 0)


async def test_the_runtime_role_cannot_bypass_row_level_security(postgres_url: str) -> None:
    container = make_container(postgres_url)
    async with container.engine().connect() as connection:
        role = (
            await connection.execute(
                text(
                    "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :name"
                ).bindparams(name=isolation.RUNTIME_ROLE)
            )
        ).one()
        owns = await connection.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = :name"),
            {"name": isolation.RUNTIME_ROLE},
        )
    await dispose(container)
    assert (role.rolsuper, role.rolbypassrls, owns) == (False, False, 0)


async def test_the_service_can_log_in_as_the_runtime_role_itself(postgres_url: str) -> None:
    """As Compose runs it: the migration lets the runtime role log in, the app uses it."""
    admin = make_container(postgres_url)
    async with admin.engine().connect() as connection:
        could = await connection.scalar(
            text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :name"),
            {"name": isolation.RUNTIME_ROLE},
        )
    isolation.let_runtime_role_log_in(postgres_url, "it's 100% a test")
    runtime_url = make_url(postgres_url).set(
        username=isolation.RUNTIME_ROLE, password="it's 100% a test"
    )
    runtime = make_container(runtime_url.render_as_string(hide_password=False))
    try:
        await empty_tables(admin.engine())
        created = await runtime.create_task()(CreateTask(title="as the runtime role"))
        assert (await runtime.get_task()(created.id or 0)).title == "as the runtime role"
        async with runtime.engine().connect() as connection:
            assert await connection.scalar(text("SELECT current_user")) == isolation.RUNTIME_ROLE
            # Outside a workspace, the runtime role sees nothing.
            assert await connection.scalar(text("SELECT count(*) FROM task")) == 0
    finally:
        await dispose(runtime)
        if not could:
            async with operator(admin.engine()) as connection:
                await connection.execute(text(f"ALTER ROLE {isolation.RUNTIME_ROLE} NOLOGIN"))
        await dispose(admin)


async def test_a_transaction_enters_its_workspace_in_the_round_trip_of_its_begin(
    two: tuple[Container, int, int],
) -> None:
    container, mine, _ = two
    sent: list[str] = []
    async with container.unit_of_work() as uow:
        driver = (await uow.tasks._connection.connection.get_raw_connection()).driver_connection
        driver.add_query_logger(lambda query: sent.append(query.query))
        assert len(await uow.tasks.get_many({1, 2, 3, 4, 5})) == 3
        await uow.commit()
    begins = [q for q in sent if q.startswith("BEGIN")]
    assert begins == [f"BEGIN; {isolation.entering(mine)}"], sent


async def test_a_statement_entering_its_workspace_itself_sees_only_that_workspace(
    two: tuple[Container, int, int],
) -> None:
    """The fast reads' form: ``set_config`` in the statement, before the query it wraps,
    although the query itself forgets the workspace."""
    container, mine, other = two
    pooled = await container.engine().raw_connection()
    try:
        driver = pooled.driver_connection
        assert driver is not None
        counting = isolation.entering_in("SELECT count(*) AS n FROM task", 1)
        assert [(await driver.fetchval(counting, str(w))) for w in (mine, other)] == [3, 2]
        ids = isolation.entering_in("SELECT id FROM task ORDER BY id DESC", 1)
        assert [r["id"] for r in await driver.fetch(ids, str(other))] == [5, 4]
        assert await driver.fetchval(counting, "") == 0  # no workspace: no row
        # The statement's own transaction ended with it, and its setting too.
        assert await driver.fetchval("SELECT count(*) FROM task") == 0
    finally:
        await greenlet_spawn(pooled.close)


async def test_a_fast_read_is_one_statement_that_enters_its_workspace(postgres_url: str) -> None:
    container = make_container(postgres_url, db_pool_size=1, db_max_overflow=0)
    try:
        await empty_tables(container.engine())
        other = await make_workspace(container, "other")
        mine = await container.create_task()(CreateTask(title="mine", tags=["t"]))
        with acting_as(Caller(other, Role.WRITER)):
            theirs = await container.create_task()(CreateTask(title="theirs"))
        pooled = await container.engine().raw_connection()  # the pool's only connection
        sent: list[str] = []
        assert pooled.driver_connection is not None
        pooled.driver_connection.add_query_logger(lambda query: sent.append(query.query))
        await greenlet_spawn(pooled.close)
        reader = container.task_reader()
        found = await reader.get(mine.id or 0)
        assert found is not None
        assert (found.title, found.tags) == ("mine", ("t",))
        assert await reader.get(theirs.id or 0) is None
    finally:
        await dispose(container)
    # Besides asyncpg's own look-up of a type, the first time it meets one: the two reads.
    reads = [q for q in sent if q.startswith("SELECT entered.* FROM set_config(")]
    assert len(reads) == 2, sent
    assert not [q for q in sent if q.split()[0] in ("BEGIN", "ROLLBACK", "COMMIT")], sent


async def test_a_workspace_entered_but_never_used_opens_no_later_transaction(
    postgres_url: str,
) -> None:
    """A unit of work that ran no statement leaves its opening statement behind on the
    connection; the pool drops it, so the next caller's transaction is its own."""
    container = make_container(postgres_url, db_pool_size=1)
    await empty_tables(container.engine())
    other = await make_workspace(container, "other")
    await container.create_task()(CreateTask(title="in default"))
    try:
        with acting_as(Caller(other, Role.WRITER)):
            async with container.unit_of_work():
                pass  # entered, and left before any statement
        async with container.engine().connect() as connection:
            # The same (only) pooled connection: outside any workspace.
            setting = f"SELECT current_setting('{isolation.WORKSPACE_SETTING}', true)"
            assert await connection.scalar(text(setting)) in (None, "")
        async with container.unit_of_work() as uow:
            assert [t.title for t in await uow.tasks.get_many({1})] == ["in default"]
    finally:
        await dispose(container)
