from datetime import date

import pytest

from application.errors import InvalidQuery
from application.pagination import PageQuery, PageRequest
from application.queries import SortKey, TaskFilter, TaskSort
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.list_tasks import ListTasks, ListTasksHandler
from application.tasks.task_stats import TaskStatsHandler
from application.views import TaskStats
from domain.values import Priority, Status
from tests.support.clock import FakeClock


@pytest.fixture
async def seeded(create_task: CreateTaskHandler, clock: FakeClock) -> None:
    tasks = [
        CreateTask(title="Alpha", priority="low", due_date=date(2026, 12, 3), tags=("a",)),
        CreateTask(title="beta 100%", priority="high", status="done", tags=("a", "b")),
        CreateTask(title="Gamma", description="under_score", due_date=date(2026, 11, 1)),
        CreateTask(title="Delta", priority="high", status="in_progress"),
    ]
    for command in tasks:
        await create_task(command)
        clock.advance(seconds=1)


async def titles(handler: ListTasksHandler, **query: object) -> list[str]:
    page = await handler(ListTasks(**query))  # type: ignore[arg-type]
    return [v.title for v in page.items]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-created_at", ["Delta", "Gamma", "beta 100%", "Alpha"]),
        ("created_at", ["Alpha", "beta 100%", "Gamma", "Delta"]),
        ("priority", ["Alpha", "Gamma", "beta 100%", "Delta"]),
        ("-priority", ["Delta", "beta 100%", "Gamma", "Alpha"]),
        ("due_date", ["Gamma", "Alpha", "beta 100%", "Delta"]),
        ("-due_date", ["Alpha", "Gamma", "Delta", "beta 100%"]),
    ],
)
async def test_sorting_orders_by_rank_with_missing_due_dates_last_and_ties_by_id(
    list_tasks: ListTasksHandler, sort: str, expected: list[str]
) -> None:
    assert await titles(list_tasks, sort=TaskSort.parse(sort)) == expected


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    ("task_filter", "expected"),
    [
        (TaskFilter(statuses=frozenset({Status.DONE, Status.IN_PROGRESS})), ["Delta", "beta 100%"]),
        (TaskFilter(priorities=frozenset({Priority.LOW})), ["Alpha"]),
        (TaskFilter(tag=" A "), ["beta 100%", "Alpha"]),
        (TaskFilter(q="%"), ["beta 100%"]),
        (TaskFilter(q="UNDER_"), ["Gamma"]),
        (TaskFilter(q="  "), ["Delta", "Gamma", "beta 100%", "Alpha"]),
        (TaskFilter(due_before=date(2026, 12, 3)), ["Gamma", "Alpha"]),
        (TaskFilter(due_after=date(2026, 12, 3)), ["Alpha"]),
        (TaskFilter(project_id=1), []),
        (TaskFilter(assignee_id=1), []),
    ],
)
async def test_filters_combine(
    list_tasks: ListTasksHandler, task_filter: TaskFilter, expected: list[str]
) -> None:
    assert await titles(list_tasks, filter=task_filter) == expected


@pytest.mark.usefixtures("seeded")
async def test_a_page_reports_the_total_of_all_matches(list_tasks: ListTasksHandler) -> None:
    page = await list_tasks(ListTasks(page=PageQuery(limit=2, offset=1)))
    assert [v.title for v in page.items] == ["Gamma", "beta 100%"]
    assert (page.total, page.limit) == (4, 2)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (20, -1)])
def test_out_of_range_pages_are_refused(limit: int, offset: int) -> None:
    with pytest.raises(InvalidQuery):
        PageRequest(limit=limit, offset=offset)


@pytest.mark.parametrize("text", ["name", "--title", "title;drop table task", ""])
def test_unknown_sorts_are_refused(text: str) -> None:
    with pytest.raises(InvalidQuery):
        TaskSort.parse(text)


def test_a_sort_reads_back_as_written() -> None:
    assert str(TaskSort.parse(" -priority ")) == "-priority"
    assert TaskSort.parse("title") == TaskSort(SortKey.TITLE, descending=False)


@pytest.mark.usefixtures("seeded")
async def test_stats_count_every_status_and_priority(
    task_stats: TaskStatsHandler, clock: FakeClock
) -> None:
    result = await task_stats(TaskFilter())
    assert result.total == 4
    assert result.by_status == {Status.TODO: 2, Status.IN_PROGRESS: 1, Status.DONE: 1}
    assert result.by_priority == {Priority.LOW: 1, Priority.MEDIUM: 1, Priority.HIGH: 2}
    assert result.overdue == 1
    assert result.completion_rate == 0.25


async def test_stats_of_nothing_are_zero(task_stats: TaskStatsHandler) -> None:
    result = await task_stats(TaskFilter(tag="none"))
    assert (result.total, result.overdue, result.completion_rate) == (0, 0, 0.0)
    assert set(result.by_status) == set(Status)


@pytest.mark.parametrize(
    ("done", "total", "rate"), [(1, 3, 0.3333), (2, 3, 0.6667), (1, 8, 0.125), (1, 16, 0.0625)]
)
def test_completion_rate_rounds_half_away_from_zero(done: int, total: int, rate: float) -> None:
    counts = {(Status.DONE, Priority.LOW): done, (Status.TODO, Priority.LOW): total - done}
    assert TaskStats.of(counts, overdue=0).completion_rate == rate


def test_completion_rate_half_case_rounds_up() -> None:
    # 1/32 = 0.03125 -> 0.0313 (half away from zero), where round() would give 0.0312
    counts = {(Status.DONE, Priority.LOW): 1, (Status.TODO, Priority.LOW): 31}
    assert TaskStats.of(counts, overdue=0).completion_rate == 0.0313
