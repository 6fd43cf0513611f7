"""Pages and cursors of every listing, on in-memory readers.

Walking a listing page by page with its cursors must give what one page holding
everything gives, for every sort; a cursor is bound to its listing, sort and filter.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from application.errors import InvalidCursor, InvalidQuery
from application.pagination import NameSort, NameSortKey, PageQuery, PageRequest
from application.projects.create_project import CreateProject
from application.queries import SortKey, TaskFilter, TaskSort
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.list_tasks import ListTasks, ListTasksHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from application.users.register_user import RegisterUser
from domain.errors import Violation
from domain.tasks import TaskChanges
from domain.values import Status
from interfaces.container import Container
from tests.support.clock import FakeClock


async def walk(fetch: Callable[[PageQuery], Awaitable[Any]], limit: int) -> list[Any]:
    """Every item of a listing, following its cursors from the first page."""
    page = await fetch(PageQuery(limit))
    items = list(page.items)
    while page.next_cursor is not None:
        page = await fetch(PageQuery(limit, cursor=page.next_cursor))
        assert page.total is None
        items += page.items
    return items


def refused(error: pytest.ExceptionInfo[InvalidQuery]) -> list[Violation]:
    return error.value.violations


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_a_limit_out_of_range_is_refused_by_name(limit: int) -> None:
    with pytest.raises(InvalidQuery) as error:
        PageRequest(limit=limit)
    assert refused(error) == [Violation("limit", "must be between 1 and 100", "limit_range")]


def test_a_negative_offset_is_refused_by_name() -> None:
    with pytest.raises(InvalidQuery) as error:
        PageRequest(offset=-1)
    assert refused(error) == [Violation("offset", "must be zero or more", "offset_range")]


def test_the_limits_of_a_page_are_accepted() -> None:
    assert (PageRequest(limit=1).limit, PageRequest(limit=100).limit) == (1, 100)
    assert PageRequest(offset=0).offset == 0


def test_a_cursor_with_an_offset_is_refused_by_name() -> None:
    with pytest.raises(InvalidQuery) as error:
        PageQuery(offset=3, cursor="c")
    assert refused(error) == [
        Violation("cursor", "cannot be combined with offset", "cursor_with_offset")
    ]
    assert PageQuery(offset=0).offset == 0
    assert PageQuery(cursor="c").cursor == "c"


def test_an_unknown_sort_is_refused_with_the_keys_it_may_name() -> None:
    with pytest.raises(InvalidQuery) as error:
        TaskSort.parse("name")
    assert refused(error) == [
        Violation(
            "sort",
            "must be one of created_at, updated_at, due_date, priority, title, "
            "optionally prefixed by '-'",
            "enum",
        )
    ]
    with pytest.raises(InvalidQuery) as error:
        NameSort.parse("-title")
    assert refused(error) == [
        Violation("sort", "must be one of name, created_at, optionally prefixed by '-'", "enum")
    ]


@pytest.mark.parametrize("text", ["title", "-title", "created_at", "-due_date"])
def test_a_task_sort_reads_back_as_written(text: str) -> None:
    assert str(TaskSort.parse(text)) == text


@pytest.mark.parametrize("text", ["name", "-name", "created_at", "-created_at"])
def test_a_name_sort_reads_back_as_written(text: str) -> None:
    assert str(NameSort.parse(f" {text} ")) == text


def test_a_name_sort_is_by_name_ascending_unless_told() -> None:
    assert NameSort.parse("name") == NameSort()
    assert NameSort.parse("-created_at") == NameSort(NameSortKey.CREATED_AT, descending=True)


def test_a_task_filter_normalises_its_tag_and_search_text() -> None:
    assert TaskFilter(tag=" Docs ").tag == "docs"
    assert TaskFilter(tag="  ").tag is None
    assert TaskFilter(q="  Under_Score ").q == "Under_Score"
    assert TaskFilter(q=" \t ").q is None
    assert (TaskFilter().tag, TaskFilter().q) == (None, None)


@pytest.fixture
async def tasks(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler, clock: FakeClock
) -> None:
    """Five tasks whose every sort key orders them differently, with ties and gaps."""
    for title, priority, due in [
        ("delta", "low", date(2026, 12, 3)),
        ("alpha", "high", None),
        ("echo", "medium", date(2026, 11, 30)),
        ("bravo", "high", date(2026, 12, 3)),
        ("charlie", "low", None),
    ]:
        await create_task(CreateTask(title=title, priority=priority, due_date=due))
        clock.advance(seconds=1)
    for task_id in (2, 1):
        await update_task(UpdateTask(task_id, TaskChanges(status="done")))
        clock.advance(seconds=1)


@pytest.mark.usefixtures("tasks")
@pytest.mark.parametrize("key", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 2])
async def test_walking_the_tasks_by_cursor_gives_the_order_of_one_page(
    list_tasks: ListTasksHandler, key: SortKey, descending: bool, limit: int
) -> None:
    sort = TaskSort(key, descending)
    whole = await list_tasks(ListTasks(sort=sort, page=PageQuery(100)))
    assert len(whole.items) == 5

    async def fetch(page: PageQuery) -> Any:
        return await list_tasks(ListTasks(sort=sort, page=page))

    assert [v.id for v in await walk(fetch, limit)] == [v.id for v in whole.items]


@pytest.mark.usefixtures("tasks")
async def test_a_task_cursor_is_refused_for_another_sort_or_filter(
    list_tasks: ListTasksHandler,
) -> None:
    done = TaskFilter(statuses=frozenset({Status.DONE}))
    todo = TaskFilter(statuses=frozenset({Status.TODO}))
    sort = TaskSort.parse("title")
    first = await list_tasks(ListTasks(done, sort, PageQuery(1)))
    assert first.next_cursor is not None
    again = await list_tasks(ListTasks(done, sort, PageQuery(1, cursor=first.next_cursor)))
    assert [v.title for v in first.items + again.items] == ["alpha", "delta"]
    for other in (
        ListTasks(todo, sort, PageQuery(1, cursor=first.next_cursor)),
        ListTasks(TaskFilter(tag="x"), sort, PageQuery(1, cursor=first.next_cursor)),
        ListTasks(done, TaskSort.parse("-title"), PageQuery(1, cursor=first.next_cursor)),
    ):
        with pytest.raises(InvalidCursor):
            await list_tasks(other)


@pytest.fixture
async def people(services: Container, clock: FakeClock) -> None:
    """Users and projects whose names are not in the order they were created."""
    for name in ("bob", "Ada", "dan", "cy"):
        await services.register_user()(RegisterUser(email=f"{name}@example.org", name=name))
        await services.create_project()(CreateProject(name=name))
        clock.advance(seconds=1)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Ada", "bob", "cy", "dan"]),
        ("-name", ["dan", "cy", "bob", "Ada"]),
        ("created_at", ["bob", "Ada", "dan", "cy"]),
        ("-created_at", ["cy", "dan", "Ada", "bob"]),
    ],
)
async def test_walking_users_and_projects_by_cursor_follows_their_sort(
    services: Container, sort: str, names: list[str]
) -> None:
    order = NameSort.parse(sort)
    for listing in (services.list_users(), services.list_projects()):

        async def fetch(page: PageQuery, listing: Any = listing) -> Any:
            return await listing(order, page)

        assert [item.name for item in await walk(fetch, 1)] == names
        assert [item.name for item in await walk(fetch, 3)] == names


@pytest.mark.usefixtures("people")
async def test_a_user_or_project_cursor_is_refused_elsewhere(services: Container) -> None:
    by_name = NameSort.parse("name")
    users = await services.list_users()(by_name, PageQuery(1))
    projects = await services.list_projects()(by_name, PageQuery(1))
    assert users.next_cursor is not None
    assert projects.next_cursor is not None
    with pytest.raises(InvalidCursor):
        await services.list_projects()(by_name, PageQuery(1, cursor=users.next_cursor))
    with pytest.raises(InvalidCursor):
        await services.list_users()(by_name, PageQuery(1, cursor=projects.next_cursor))
    with pytest.raises(InvalidCursor):
        await services.list_users()(NameSort.parse("-name"), PageQuery(cursor=users.next_cursor))
    with pytest.raises(InvalidCursor):
        await services.list_tags()(PageQuery(1, cursor=users.next_cursor))


async def test_walking_the_tags_by_cursor_gives_each_once_by_name(services: Container) -> None:
    for tags in (("c", "a"), ("b",), ("a", "d"), ("e",)):
        await services.create_task()(CreateTask(title="t", tags=tags))
    walked = await walk(services.list_tags(), 2)
    assert [(t.name, t.task_count) for t in walked] == [
        ("a", 2),
        ("b", 1),
        ("c", 1),
        ("d", 1),
        ("e", 1),
    ]
    last = await services.list_tags()(PageQuery(5))
    assert (last.more, last.next_cursor, last.total) == (False, None, 5)
