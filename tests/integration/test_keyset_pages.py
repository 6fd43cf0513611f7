"""Keyset pagination in SQL: every sort, nulls, ties, concurrent inserts and deletes, EXPLAIN."""

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.util import greenlet_spawn

from application import callers
from application.pagination import PageQuery
from application.queries import SortKey, TaskFilter, TaskSort
from application.tasks.list_tasks import ListTasks
from domain.tasks import Task
from domain.values import Status
from infrastructure.persistence import scope
from infrastructure.persistence.tasks import statements
from infrastructure.persistence.workspaces import isolation
from interfaces.container import Container, dispose
from tests.support.databases import empty_tables, make_container, operator

START = datetime(2026, 11, 1, tzinfo=UTC)
SORTS = [("-" if d else "") + k.value for k in SortKey for d in (False, True)]


async def seed(container: Container, count: int, *, rng: random.Random) -> None:
    async with container.unit_of_work() as uow:
        for n in range(count):
            task = Task.create(
                # Titles, due dates and creation instants repeat, so ties are broken by id.
                title=f"title {rng.randrange(5)}",
                priority=rng.choice(["low", "medium", "high"]),
                due_date=rng.choice([None, date(2026, 12, 1), date(2026, 12, rng.randrange(1, 9))]),
                tags=["even"] if n % 2 == 0 else [],
                now=START + timedelta(seconds=rng.randrange(count // 2)),
            )
            await uow.tasks.add(task)
        await uow.commit()


async def follow(container: Container, query: ListTasks, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = await container.list_tasks()(
            ListTasks(query.filter, query.sort, PageQuery(limit, cursor=cursor))
        )
        seen += [v.id for v in page.items]
        assert (page.total is None) == (cursor is not None)
        if page.next_cursor is None:
            return seen
        assert len(page.items) == limit
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", SORTS)
async def test_following_cursors_visits_every_item_once_in_sort_order(
    container: Container, sort: str
) -> None:
    await seed(container, 40, rng=random.Random(sort))
    for task_filter in (TaskFilter(), TaskFilter(tag="even")):
        query = ListTasks(task_filter, TaskSort.parse(sort))
        everything = await container.list_tasks()(
            ListTasks(task_filter, query.sort, PageQuery(100))
        )
        expected = [v.id for v in everything.items]
        assert len(expected) == everything.total
        assert await follow(container, query, limit=7) == expected


async def test_an_offset_page_carries_a_cursor_to_the_rest(container: Container) -> None:
    await seed(container, 10, rng=random.Random(1))
    first = await container.list_tasks()(ListTasks(page=PageQuery(4, offset=3)))
    rest = await container.list_tasks()(ListTasks(page=PageQuery(100, cursor=first.next_cursor)))
    everything = await container.list_tasks()(ListTasks(page=PageQuery(100)))
    assert [v.id for v in first.items + rest.items] == [v.id for v in everything.items][3:]
    assert (first.total, everything.next_cursor, rest.next_cursor) == (10, None, None)


async def test_inserts_before_the_position_and_deletes_behind_it_skip_nothing(
    container: Container,
) -> None:
    await seed(container, 30, rng=random.Random(2))
    expected = [v.id for v in (await container.list_tasks()(ListTasks(page=PageQuery(100)))).items]
    seen: list[int] = []
    cursor = None
    while True:
        page = await container.list_tasks()(ListTasks(page=PageQuery(5, cursor=cursor)))
        seen += [v.id for v in page.items]
        # A newer task lands before the current position; a visited one disappears.
        async with container.unit_of_work() as uow:
            await uow.tasks.add(Task.create(title="new", now=START + timedelta(days=30)))
            await uow.tasks.delete(seen[0])
            await uow.commit()
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected


@pytest.fixture(scope="module")
async def deep_container(postgres_url: str) -> AsyncIterator[Container]:
    """20,000 tasks on PostgreSQL, analysed, for plans of deep pages and searches.

    The tests that use it stand before any test that takes ``container``, which
    empties the tables: pytest runs a module's tests in the order they are written.
    """
    container = make_container(postgres_url)
    await empty_tables(container.engine())
    async with operator(container.engine()) as connection:
        await connection.execute(
            text(
                "INSERT INTO task (title, status, priority, due_date, created_at, updated_at,"
                " version, workspace_id) SELECT 't' || (n % 997), 'todo', 1 + n % 3,"
                " CASE WHEN n % 4 = 0 THEN NULL ELSE date '2026-01-01' + n % 365 END,"
                " now() - n * interval '1 second', now() - n * interval '1 second', 1, 1"
                " FROM generate_series(1, 20000) AS n"
            )
        )
        await connection.execute(text("ANALYZE task"))
    yield container
    await empty_tables(container.engine())
    await dispose(container)


@pytest.mark.postgres
@pytest.mark.parametrize("sort", SORTS)
async def test_a_deep_cursor_page_reads_the_index_not_the_skipped_rows(
    deep_container: Container, sort: str
) -> None:
    order = TaskSort.parse(sort)
    deep = await deep_container.list_tasks()(ListTasks(sort=order, page=PageQuery(1, offset=19000)))
    position = order.position(deep.items[0])
    rows, _ = statements.page(frozenset(), order, True)
    after = statements.sort_values(order, position)
    statement = rows.statement.params(
        limit=21, **scope.parameters(), **{f"after_{i}": v for i, v in enumerate(after)}
    )
    engine = deep_container.engine()
    compiled = statement.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    # As the fast reads run it: entering the caller's workspace in the statement itself,
    # under row-level security.
    entering = isolation.entering_in(str(compiled), 1)
    pooled = await engine.raw_connection()
    try:
        assert pooled.driver_connection is not None
        explained = await pooled.driver_connection.fetch(
            f"EXPLAIN (ANALYZE, FORMAT TEXT) {entering}", str(callers.current().workspace_id)
        )
    finally:
        await greenlet_spawn(pooled.close)
    plan = "\n".join(row[0] for row in explained)
    index = f"ix_task_{order.key.value}_id"
    if order.key is SortKey.DUE_DATE:
        index = "ix_task_due_date_" + ("desc" if order.descending else "asc")
    # The rows of the page, apart from the tags each carries (a sub-plan per row returned).
    rows_plan = plan.split("SubPlan")[0]
    assert f"using {index}" in rows_plan, plan
    assert "Sort" not in rows_plan, plan
    assert "Seq Scan" not in rows_plan, plan
    scanned = next(line for line in plan.splitlines() if index in line)
    assert "rows=21 " in scanned, plan


_SCANS = (
    "SELECT pg_stat_get_xact_numscans('ix_task_title_trgm'::regclass) AS title_trgm,"
    " pg_stat_get_xact_numscans('ix_task_description_trgm'::regclass) AS description_trgm"
)


@pytest.mark.postgres
@pytest.mark.parametrize("seeking", [False, True], ids=["offset page and total", "cursor page"])
async def test_a_search_reads_the_trigram_indexes_not_every_task(
    deep_container: Container, seeking: bool
) -> None:
    search = TaskFilter(q="t99")
    parameters = statements.filter_parameters(search)
    rows, count = statements.page(frozenset(parameters), TaskSort.parse("created_at"), seeking)
    paging = {"limit": 21, **({"after_0": START, "after_1": 0} if seeking else {"offset": 0})}
    engine = deep_container.engine()
    for query in (rows, count) if count is not None else (rows,):
        statement = query.statement.params(**parameters, **paging, **scope.parameters())
        compiled = statement.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
        async with engine.connect() as connection:
            await isolation.enter(connection, callers.current().workspace_id)
            # 20,000 short rows are cheaper to scan, or to read through the workspace's
            # index, than to look up (at 120k, the bench's size, the planner takes the
            # trigram indexes by itself): make matching dear to show that they serve it.
            await connection.execute(text("SET LOCAL cpu_operator_cost = 1"))
            await connection.execute(text(str(compiled)))
            # Scans this transaction made, the search function's included (EXPLAIN shows
            # a function scan only).
            scans = (await connection.execute(text(_SCANS))).one()
        assert scans.title_trgm > 0, scans
        assert scans.description_trgm > 0, scans
    found = await deep_container.list_tasks()(ListTasks(search, page=PageQuery(100, offset=0)))
    # t99 and t990..t996, every 997th task of 20,000: the index finds what the rule says.
    assert found.total == sum(1 for n in range(1, 20001) if "t99" in f"t{n % 997}")


async def test_a_status_filter_pages_with_cursors_too(container: Container) -> None:
    await seed(container, 20, rng=random.Random(3))
    query = ListTasks(TaskFilter(statuses=frozenset({Status.TODO})), TaskSort.parse("title"))
    assert len(await follow(container, query, limit=3)) == 20
