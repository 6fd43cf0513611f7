"""The SQL unit of work and repository against real PostgreSQL and SQLite."""

import asyncio
import time

import pytest
from sqlalchemy import func, select, text

from application.errors import ConcurrentUpdate
from domain.tasks import Task, TaskChanges
from infrastructure.clock import SystemClock
from infrastructure.persistence.tasks.table import TagRow, TaskRow, TaskTagRow
from interfaces.container import Container
from tests.support.databases import operator


def new_task(**fields: object) -> Task:
    fields.setdefault("title", "x")
    return Task.create(now=SystemClock().now(), **fields)  # type: ignore[arg-type]


async def count(container: Container, model: type) -> int:
    async with operator(container.engine()) as connection:
        return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_committed_task_is_stored_with_its_tags(container: Container) -> None:
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.add(new_task(tags=["b", "a"]))
        await uow.commit()
    async with container.unit_of_work() as uow:
        loaded = await uow.tasks.get(stored.id or 0)
    assert loaded == stored
    assert loaded is not None
    assert loaded.tags == ("a", "b")


async def test_leaving_without_commit_rolls_back(container: Container) -> None:
    async with container.unit_of_work() as uow:
        await uow.tasks.add(new_task(tags=["a"]))
    assert await count(container, TaskRow) == 0
    assert await count(container, TagRow) == 0


async def test_an_exception_rolls_back(container: Container) -> None:
    with pytest.raises(RuntimeError):
        async with container.unit_of_work() as uow:
            await uow.tasks.add(new_task())
            raise RuntimeError("boom")
    assert await count(container, TaskRow) == 0


async def test_an_explicit_rollback_discards_staged_work(container: Container) -> None:
    async with container.unit_of_work() as uow:
        await uow.tasks.add(new_task())
        await uow.rollback()
        await uow.tasks.add(new_task(title="kept"))
        await uow.commit()
    async with operator(container.engine()) as connection:
        assert (await connection.execute(select(TaskRow.title))).scalars().all() == ["kept"]  # type: ignore[call-overload]


async def test_a_tag_committed_while_a_create_waits_for_it_is_linked_all_the_same(
    container: Container,
) -> None:
    """On PostgreSQL the insert links the tags it can see; one that another transaction
    made, and committed while this insert waited for it, is linked in a statement after."""
    if container.engine().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no insert waits for another's tag")
    async with container.unit_of_work() as first, container.unit_of_work() as second:
        await first.tasks.add(new_task(title="first", tags=["shared"]))
        adding = asyncio.create_task(second.tasks.add(new_task(tags=["shared", "own"])))
        await _until_a_statement_waits_for_a_lock(container)
        await first.commit()
        stored = await asyncio.wait_for(adding, timeout=10)
        await second.commit()
    async with container.unit_of_work() as uow:
        loaded = await uow.tasks.get(stored.id or 0)
    assert loaded is not None
    assert loaded.tags == ("own", "shared")
    assert await count(container, TagRow) == 2


async def _until_a_statement_waits_for_a_lock(container: Container) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        async with operator(container.engine()) as connection:
            waiting = await connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no statement waited for a lock within 10 s")


async def test_changing_tags_rewrites_the_links_and_shares_tag_rows(container: Container) -> None:
    async with container.unit_of_work() as uow:
        first = await uow.tasks.add(new_task(tags=["a", "b"]))
        await uow.tasks.add(new_task(tags=["b", "c"]))
        await uow.commit()
    clock = SystemClock()
    async with container.unit_of_work() as uow:
        task = await uow.tasks.get(first.id or 0, for_update=True)
        assert task is not None
        task.change(TaskChanges(tags=["c", "d"]), clock.now())
        await uow.tasks.save(task)
        await uow.commit()
    async with container.unit_of_work() as uow:
        reloaded = await uow.tasks.get(first.id or 0)
    assert reloaded is not None
    assert reloaded.tags == ("c", "d")
    assert reloaded.version == 2
    assert await count(container, TagRow) == 4
    assert await count(container, TaskTagRow) == 4


async def test_a_stale_write_is_refused_and_changes_nothing(container: Container) -> None:
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.add(new_task())
        await uow.commit()
    task_id = stored.id or 0
    clock = SystemClock()
    async with container.unit_of_work() as first, container.unit_of_work() as second:
        mine = await first.tasks.get(task_id)
        theirs = await second.tasks.get(task_id)
        assert mine is not None
        assert theirs is not None
        theirs.change(TaskChanges(title="theirs"), clock.now())
        await second.tasks.save(theirs)
        await second.commit()
        mine.change(TaskChanges(title="mine"), clock.now())
        with pytest.raises(ConcurrentUpdate):
            await first.tasks.save(mine)
    async with container.unit_of_work() as uow:
        final = await uow.tasks.get(task_id)
    assert final is not None
    assert (final.title, final.version) == ("theirs", 2)


async def test_saving_a_task_whose_version_skipped_ahead_is_refused(container: Container) -> None:
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.add(new_task())
        await uow.commit()
    async with container.unit_of_work() as uow:
        task = await uow.tasks.get(stored.id or 0)
        assert task is not None
        task.version += 2
        with pytest.raises(ConcurrentUpdate):
            await uow.tasks.save(task)


async def test_deleting_a_task_removes_its_links_but_keeps_tags(container: Container) -> None:
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.add(new_task(tags=["a"]))
        await uow.commit()
    async with container.unit_of_work() as uow:
        assert await uow.tasks.delete(stored.id or 0)
        assert not await uow.tasks.delete(10**12)
        await uow.commit()
    assert await count(container, TaskRow) == 0
    assert await count(container, TaskTagRow) == 0
    assert await count(container, TagRow) == 1


async def test_the_database_refuses_a_done_task_without_completed_at(container: Container) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with operator(container.engine()) as connection:
            await connection.execute(
                text(
                    "INSERT INTO task (title, status, priority, created_at, updated_at, version,"
                    " workspace_id) VALUES ('x', 'done', 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                    " 1, 1)"
                )
            )


async def test_the_id_of_a_deleted_task_is_never_handed_out_again(container: Container) -> None:
    async with container.unit_of_work() as uow:
        first = await uow.tasks.add(new_task())
        await uow.commit()
    async with container.unit_of_work() as uow:
        await uow.tasks.delete(first.id or 0)
        second = await uow.tasks.add(new_task())
        await uow.commit()
    assert (second.id or 0) > (first.id or 0)


async def test_a_task_added_in_a_unit_of_work_can_be_changed_and_saved_in_it(
    container: Container,
) -> None:
    clock = SystemClock()
    async with container.unit_of_work() as uow:
        task = await uow.tasks.add(new_task(tags=["a"]))
        task.change(TaskChanges(title="changed", tags=["b"]), clock.now())
        await uow.tasks.save(task)
        await uow.commit()
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.get(task.id or 0)
    assert stored == task
    assert (stored.title, stored.tags, stored.version) == ("changed", ("b",), 2)


async def test_adding_a_task_naming_a_missing_project_or_user_names_them_and_stores_nothing(
    container: Container,
) -> None:
    from application.errors import InvalidReference

    async with container.unit_of_work() as uow:
        with pytest.raises(InvalidReference) as error:
            await uow.tasks.add(new_task(tags=["a"], project_id=77, assignee_id=78))
        assert [v.field for v in error.value.violations] == ["project_id", "assignee_id"]
        with pytest.raises(InvalidReference) as error:
            await uow.tasks.add(new_task(assignee_id=78))
        assert [v.field for v in error.value.violations] == ["assignee_id"]
        await uow.commit()
    assert await count(container, TaskRow) == 0
    assert await count(container, TagRow) == 0
