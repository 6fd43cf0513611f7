"""Adding tasks in bulk and streaming them out, on real PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import func, select

from application.queries import TaskFilter
from domain.tasks import Task
from infrastructure.clock import SystemClock
from infrastructure.persistence.tasks.table import TagRow, TaskTagRow
from interfaces.container import Container
from tests.support.databases import operator
from tests.support.statements import count_statements


def new_tasks(count: int, **fields: object) -> list[Task]:
    now = SystemClock().now()
    return [
        Task.create(title=f"task {n}", now=now, tags=[f"t{n % 5}", "shared"], **fields)  # type: ignore[arg-type]
        for n in range(count)
    ]


async def add_many(container: Container, tasks: list[Task]) -> list[Task]:
    async with container.unit_of_work() as uow:
        stored = await uow.tasks.add_many(tasks)
        await uow.commit()
    return stored


async def test_a_bulk_add_returns_the_tasks_in_order_with_the_ids_they_are_stored_under(
    container: Container,
) -> None:
    stored = await add_many(container, new_tasks(30))
    async with container.unit_of_work() as uow:
        for task in stored:
            assert await uow.tasks.get(task.id or 0) == task


async def test_a_bulk_add_shares_tag_rows_with_the_tags_already_there(
    container: Container,
) -> None:
    await add_many(container, new_tasks(3))
    await add_many(container, new_tasks(7))
    async with operator(container.engine()) as connection:
        tags = await connection.scalar(select(func.count()).select_from(TagRow))
        links = await connection.scalar(select(func.count()).select_from(TaskTagRow))
    assert tags == 6
    assert links == 20


async def test_a_bulk_add_costs_the_same_statements_for_5_tasks_as_for_1000(
    container: Container,
) -> None:
    counts = []
    for size in (5, 1000):
        async with count_statements(container.engine()) as log:
            await add_many(container, new_tasks(size))
        counts.append(len(log.writes))
    # The tasks, their missing tags and their links: one statement each, or on PostgreSQL
    # one for all three.
    assert counts[0] == counts[1] == (1 if container.engine().dialect.name == "postgresql" else 3)


async def test_a_bulk_add_left_without_commit_stores_nothing(container: Container) -> None:
    async with container.unit_of_work() as uow:
        await uow.tasks.add_many(new_tasks(10))
    async with container.unit_of_work() as uow:
        assert await uow.tasks.get(1) is None
    assert [b async for b in container.task_stream().batches(TaskFilter(), 10)] == []


async def test_the_stream_visits_every_matching_task_once_in_id_order(
    container: Container,
) -> None:
    stored = await add_many(container, new_tasks(25) + new_tasks(5, status="done"))
    batches = [b async for b in container.task_stream().batches(TaskFilter(), 10)]
    assert [len(b) for b in batches] == [10, 10, 10]
    assert [v.id for b in batches for v in b] == [t.id for t in stored]
    assert batches[0][0].tags == ("shared", "t0")
    done = TaskFilter(statuses=frozenset({stored[-1].status}))
    assert [len(b) async for b in container.task_stream().batches(done, 10)] == [5]


async def test_every_stream_batch_costs_one_statement_however_deep(container: Container) -> None:
    await add_many(container, new_tasks(40))
    stream = container.task_stream().batches(TaskFilter(), 10)
    costs = []
    while True:
        async with count_statements(container.engine()) as log:
            batch = await anext(stream, None)
        if batch is None:
            break
        costs.append(len(log))
    assert costs == [1, 1, 1, 1]


async def test_adding_no_tasks_costs_no_statement(container: Container) -> None:
    async with count_statements(container.engine()) as log:
        assert await add_many(container, []) == []
    assert log == []
