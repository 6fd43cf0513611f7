"""Users, projects and tags in SQL: constraints, cascades, counts and the statement budget."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from application.errors import Conflict, InvalidReference
from application.pagination import NameSort, PageQuery, PageRequest
from application.projects.create_project import CreateProject
from application.tasks.create_task import CreateTask
from application.users.register_user import RegisterUser
from infrastructure.persistence.tasks.table import TaskRow
from interfaces.container import Container
from tests.support.databases import operator
from tests.support.statements import count_statements


async def user(container: Container, name: str = "ada") -> int:
    view = await container.register_user()(RegisterUser(email=f"{name}@example.org", name=name))
    return view.id


async def project(container: Container, name: str = "p", owner_id: int | None = None) -> int:
    view = await container.create_project()(CreateProject(name=name, owner_id=owner_id))
    return view.id


async def test_the_email_index_ignores_case(container: Container) -> None:
    await user(container, "ada")
    with pytest.raises(Conflict):
        await container.register_user()(RegisterUser(email="ADA@example.org", name="x"))
    async with operator(container.engine()) as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(
                text(
                    "INSERT INTO app_user (email, name, created_at, updated_at, version,"
                    " workspace_id) VALUES"
                    " ('Ada@Example.org', 'raw', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 1)"
                )
            )


async def test_project_names_are_unique_per_owner_in_the_schema(container: Container) -> None:
    owner = await user(container)
    await project(container, "p", owner)
    await project(container, "p")
    with pytest.raises(Conflict):
        await project(container, "p", owner)
    with pytest.raises(Conflict):
        await project(container, "p")


async def test_a_task_naming_a_missing_project_or_user_is_refused(container: Container) -> None:
    with pytest.raises(InvalidReference) as error:
        await container.create_task()(CreateTask(title="x", project_id=77, assignee_id=78))
    assert {v.field for v in error.value.violations} == {"project_id", "assignee_id"}
    async with operator(container.engine()) as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(
                text(
                    "INSERT INTO task (title, status, priority, project_id, created_at, updated_at,"
                    " version, workspace_id)"
                    " VALUES ('x', 'todo', 2, 77, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 1)"
                )
            )


async def test_deleting_a_user_keeps_their_tasks_and_projects(container: Container) -> None:
    ada = await user(container)
    owned = await project(container, "p", ada)
    task = await container.create_task()(CreateTask(title="x", assignee_id=ada, project_id=owned))
    await container.delete_user()(ada)
    after = await container.get_task()(task.id)
    assert (after.assignee_id, after.version, after.project_id) == (None, 2, owned)
    assert after.updated_at > task.updated_at
    assert (await container.get_project()(owned)).owner_id is None
    await user(container, "ada")  # the email is free again


async def test_deleting_a_project_deletes_its_tasks_and_their_links(container: Container) -> None:
    doomed = await project(container, "doomed")
    for n in range(3):
        await container.create_task()(CreateTask(title=f"t{n}", project_id=doomed, tags=("a",)))
    kept = await container.create_task()(CreateTask(title="kept", tags=("a",)))
    await container.delete_project()(doomed)
    async with operator(container.engine()) as connection:
        assert (await connection.execute(text("SELECT id FROM task"))).scalars().all() == [kept.id]
        links = await connection.scalar(text("SELECT count(*) FROM task_tag"))
    assert links == 1


async def test_project_task_counts_and_tag_counts_come_from_the_database(
    container: Container,
) -> None:
    first, second = await project(container, "a"), await project(container, "b")
    for status, in_project in [("todo", first), ("done", first), ("done", first), ("todo", second)]:
        await container.create_task()(
            CreateTask(title="t", status=status, project_id=in_project, tags=("x", status))
        )
    await container.create_task()(CreateTask(title="loose"))
    page = await container.list_projects()(NameSort(), PageQuery(10))
    assert [(p.name, dict(p.task_counts)) for p in page.items] == [
        ("a", {"todo": 1, "in_progress": 0, "done": 2}),
        ("b", {"todo": 1, "in_progress": 0, "done": 0}),
    ]
    tags = await container.list_tags()(PageQuery(10))
    assert [(t.name, t.task_count) for t in tags.items] == [("done", 2), ("todo", 2), ("x", 4)]
    assert tags.total == 3
    empty = await container.list_tags()(PageQuery(10, offset=3))
    assert (empty.items, empty.total) == ([], 3)


async def test_a_project_page_costs_the_same_statements_for_1_or_50_projects(
    container: Container,
) -> None:
    for n in range(50):
        pid = await project(container, f"p{n:02}")
        await container.create_task()(CreateTask(title="t", project_id=pid))
    reader, engine = container.project_reader(), container.engine()
    async with count_statements(engine) as one:
        await reader.list(NameSort(), PageRequest(1))
    async with count_statements(engine) as fifty:
        page = await reader.list(NameSort(), PageRequest(50))
    assert all(p.task_counts["todo"] == 1 for p in page.items)
    assert len(one) == len(fifty) == 3
    assert fifty.writes == []


async def test_user_and_tag_pages_have_a_fixed_statement_budget(container: Container) -> None:
    for n in range(30):
        await user(container, f"u{n}")
        await container.create_task()(CreateTask(title="t", tags=(f"tag{n}",)))
    engine = container.engine()
    async with count_statements(engine) as users:
        await container.user_reader().list(NameSort(), PageRequest(30))
    async with count_statements(engine) as tags:
        await container.tag_reader().list(PageRequest(30))
    assert len(users) == len(tags) == 2


async def test_a_lazy_load_raises_instead_of_querying(container: Container) -> None:
    await container.create_task()(CreateTask(title="x", tags=("a",)))
    async with operator(container.engine()) as connection, AsyncSession(connection) as session:
        row = (await session.execute(select(TaskRow))).scalar_one()
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            _ = row.tags


async def test_a_checked_reference_holds_off_its_deletion_but_not_other_writers(
    container: Container,
) -> None:
    """``FOR KEY SHARE``, the foreign key's own lock: creating tasks for one project or
    user concurrently never queues, deleting what they name waits for them."""
    import asyncio

    from sqlalchemy.exc import DBAPIError

    if container.engine().dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    user_id, project_id = await user(container), await project(container)
    async with container.unit_of_work() as first, container.unit_of_work() as second:
        assert await first.users.exists(user_id)
        assert await first.projects.missing({project_id}) == set()
        assert await asyncio.wait_for(second.users.exists(user_id), timeout=10)
        assert await asyncio.wait_for(second.projects.missing({project_id}), timeout=10) == set()
        for table, identifier in (("app_user", user_id), ("project", project_id)):
            async with operator(container.engine()) as third:
                await third.execute(text("SET LOCAL lock_timeout = '50ms'"))
                with pytest.raises(DBAPIError) as waited:
                    await third.execute(text(f"DELETE FROM {table} WHERE id = {identifier}"))
            assert getattr(waited.value.orig, "sqlstate", None) == "55P03"
