"""Task queries in SQL: filters, sorts, stats and the statement budget, on both databases."""

from datetime import UTC, date, datetime, timedelta

import pytest

from application.pagination import PageRequest
from application.queries import TaskFilter, TaskSort
from domain.tasks import Task
from domain.values import Priority, Status
from interfaces.container import Container
from tests.support.statements import count_statements

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

SEED = [
    {"title": "Alpha", "priority": "low", "due_date": date(2026, 12, 3), "tags": ["a"]},
    {"title": "beta 100%", "priority": "high", "status": "done", "tags": ["a", "b"]},
    {"title": "Gamma", "description": "under_score \\ back", "due_date": date(2026, 11, 1)},
    {"title": "Delta", "priority": "high", "status": "in_progress"},
]


async def add_tasks(container: Container, specs: list[dict[str, object]]) -> list[int]:
    ids = []
    async with container.unit_of_work() as uow:
        for n, spec in enumerate(specs):
            task = Task.create(now=START + timedelta(seconds=n), **spec)  # type: ignore[arg-type]
            ids.append((await uow.tasks.add(task)).id or 0)
        await uow.commit()
    return ids


@pytest.fixture
async def seeded(container: Container) -> Container:
    await add_tasks(container, SEED)
    return container


async def titles(
    container: Container, task_filter: TaskFilter, sort: str = "-created_at"
) -> list[str]:
    page = await container.task_reader().list(task_filter, TaskSort.parse(sort), PageRequest(100))
    return [v.title for v in page.items]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-created_at", ["Delta", "Gamma", "beta 100%", "Alpha"]),
        ("updated_at", ["Alpha", "beta 100%", "Gamma", "Delta"]),
        ("priority", ["Alpha", "Gamma", "beta 100%", "Delta"]),
        ("-priority", ["Delta", "beta 100%", "Gamma", "Alpha"]),
        ("due_date", ["Gamma", "Alpha", "beta 100%", "Delta"]),
        ("-due_date", ["Alpha", "Gamma", "Delta", "beta 100%"]),
    ],
)
async def test_sorts_use_rank_put_missing_due_dates_last_and_break_ties_by_id(
    seeded: Container, sort: str, expected: list[str]
) -> None:
    assert await titles(seeded, TaskFilter(), sort) == expected


async def test_title_sort_uses_the_database_collation(seeded: Container) -> None:
    found = await titles(seeded, TaskFilter(), "title")
    assert sorted(found) == sorted(t["title"] for t in SEED)  # type: ignore[type-var]
    assert found[0] in {"Alpha", "beta 100%"}


@pytest.mark.parametrize(
    ("task_filter", "expected"),
    [
        (TaskFilter(statuses=frozenset({Status.DONE, Status.IN_PROGRESS})), ["Delta", "beta 100%"]),
        (
            TaskFilter(priorities=frozenset({Priority.HIGH}), statuses=frozenset({Status.DONE})),
            ["beta 100%"],
        ),
        (TaskFilter(tag="A"), ["beta 100%", "Alpha"]),
        (TaskFilter(tag="zzz"), []),
        (TaskFilter(q="100%"), ["beta 100%"]),
        (TaskFilter(q="%"), ["beta 100%"]),
        (TaskFilter(q="_"), ["Gamma"]),
        (TaskFilter(q="\\"), ["Gamma"]),
        (TaskFilter(q="ALPHA"), ["Alpha"]),
        (TaskFilter(q="title;drop table task"), []),
        (TaskFilter(due_before=date(2026, 11, 1)), ["Gamma"]),
        (TaskFilter(due_after=date(2026, 11, 2)), ["Alpha"]),
        (TaskFilter(project_id=5), []),
        (TaskFilter(assignee_id=5), []),
    ],
)
async def test_filters(seeded: Container, task_filter: TaskFilter, expected: list[str]) -> None:
    assert await titles(seeded, task_filter) == expected


async def test_a_page_carries_the_total_and_tags(seeded: Container) -> None:
    page = await seeded.task_reader().list(
        TaskFilter(), TaskSort.parse("created_at"), PageRequest(2, 1)
    )
    assert [(v.title, v.tags) for v in page.items] == [("beta 100%", ("a", "b")), ("Gamma", ())]
    assert page.total == 4


async def test_get_returns_the_read_model_or_none(seeded: Container) -> None:
    view = await seeded.task_reader().get(2)
    assert view is not None
    assert (view.title, view.status, view.priority, view.tags) == (
        "beta 100%", Status.DONE, Priority.HIGH, ("a", "b"),
    )  # fmt: skip
    assert view.created_at.tzinfo is not None
    assert view.created_at == START + timedelta(seconds=1)
    assert await seeded.task_reader().get(99) is None


async def test_stats_are_computed_by_the_database(seeded: Container) -> None:
    stats = await seeded.task_reader().stats(TaskFilter(), today=date(2026, 11, 24))
    assert stats.by_status == {Status.TODO: 2, Status.IN_PROGRESS: 1, Status.DONE: 1}
    assert stats.by_priority == {Priority.LOW: 1, Priority.MEDIUM: 1, Priority.HIGH: 2}
    assert (stats.total, stats.overdue, stats.completion_rate) == (4, 1, 0.25)
    filtered = await seeded.task_reader().stats(TaskFilter(tag="a"), today=date(2026, 11, 24))
    assert (filtered.total, filtered.overdue) == (2, 0)


async def test_a_page_of_100_tasks_costs_the_statements_of_a_page_of_1(
    container: Container,
) -> None:
    tags = [f"t{i}" for i in range(5)]
    await add_tasks(container, [{"title": f"task {n}", "tags": tags} for n in range(100)])
    reader, engine = container.task_reader(), container.engine()
    async with count_statements(engine) as one:
        first = await reader.list(TaskFilter(), TaskSort(), PageRequest(1))
    async with count_statements(engine) as hundred:
        page = await reader.list(TaskFilter(tag="t1"), TaskSort(), PageRequest(100))
    position = TaskSort().position(first.items[0])
    async with count_statements(engine) as by_cursor:
        after = await reader.list(TaskFilter(), TaskSort(), PageRequest(100, after=position))
    assert len(page.items) == 100
    assert all(v.tags == tuple(tags) for v in (*page.items, *after.items))
    assert len(after.items) == 99
    # Offset mode: the total, then the page with its tags; a cursor page is the page alone.
    assert len(one) == len(hundred) == 2
    assert len(by_cursor) == 1
    assert one.writes == hundred.writes == by_cursor.writes == []


async def test_reads_of_one_task_cost_the_same_with_1_or_20_tags(container: Container) -> None:
    few, many = await add_tasks(
        container,
        [{"title": "few", "tags": ["a"]}, {"title": "many", "tags": [f"t{i}" for i in range(20)]}],
    )
    async with count_statements(container.engine()) as log_few:
        await container.task_reader().get(few)
    async with count_statements(container.engine()) as log_many:
        await container.task_reader().get(many)
    async with count_statements(container.engine()) as log_stats:
        await container.task_reader().stats(TaskFilter(), today=date(2026, 11, 24))
    assert len(log_few) == len(log_many) == 1
    assert len(log_stats) == 1


async def test_writing_a_task_costs_the_same_with_1_or_20_tags(container: Container) -> None:
    counts = []
    for tags in (["a"], [f"t{i}" for i in range(20)]):
        async with count_statements(container.engine()) as log:
            await add_tasks(container, [{"title": "x", "tags": tags}])
        counts.append(len(log))
    assert counts[0] == counts[1]
