"""Creating, changing and deleting many tasks at once, on in-memory adapters."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from application.errors import NotFound
from application.projects.create_project import CreateProject
from application.tasks.bulk_delete_tasks import BulkDeleteTasksHandler
from application.tasks.bulk_update_tasks import BulkUpdateTasks, BulkUpdateTasksHandler
from application.tasks.create_task import CreateTask
from application.tasks.create_tasks import CreateTasks, CreateTasksHandler
from application.users.register_user import RegisterUser
from domain.errors import DomainError, Violation
from domain.tasks import TaskChanges
from domain.values import Priority, Status
from infrastructure.memory.store import InMemoryStore
from interfaces.container import Container
from tests.support.clock import FakeClock
from tests.support.recording import RecordingUnitOfWork


@pytest.fixture
def recording(store: InMemoryStore) -> RecordingUnitOfWork:
    return RecordingUnitOfWork(store)


@pytest.fixture
async def ada(services: Container) -> int:
    view = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    return view.id


@pytest.fixture
async def launch(services: Container) -> int:
    view = await services.create_project()(CreateProject(name="Launch"))
    return view.id


def not_stored(store: InMemoryStore) -> bool:
    return store.tasks == {}


# Creating a batch


async def test_a_batch_is_stored_in_order_with_ids_and_the_rules_applied(
    services: Container, store: InMemoryStore, clock: FakeClock, ada: int, launch: int
) -> None:
    views = await services.create_tasks()(
        CreateTasks(
            [
                CreateTask(title=" one ", tags=("B", "a", "b"), status="done"),
                CreateTask(title="two", project_id=launch, assignee_id=ada, priority="high"),
            ]
        )
    )
    assert [(v.title, v.tags, v.status) for v in views] == [
        ("one", ("a", "b"), Status.DONE),
        ("two", (), Status.TODO),
    ]
    assert (views[1].project_id, views[1].assignee_id, views[1].priority) == (
        launch,
        ada,
        Priority.HIGH,
    )
    assert views[0].completed_at == views[0].created_at == clock.now()
    assert [store.tasks[v.id].title for v in views] == ["one", "two"]
    assert views[0].id < views[1].id


async def test_every_broken_rule_of_every_item_is_named_by_its_index(
    services: Container, store: InMemoryStore
) -> None:
    batch = [
        CreateTask(title="fine"),
        CreateTask(title=" ", status="nope"),
        CreateTask(title="fine too"),
        CreateTask(title="x", tags=("no way",)),
    ]
    with pytest.raises(DomainError) as error:
        await services.create_tasks()(CreateTasks(batch))
    assert error.value.violations == [
        Violation("title", "must not be empty", "string_too_short", ("items", 1)),
        Violation("status", "must be one of todo, in_progress, done", "enum", ("items", 1)),
        Violation(
            "tags",
            "a tag may only contain a-z, 0-9, '_' and '-'",
            "string_pattern_mismatch",
            ("items", 3),
        ),
    ]
    assert error.value.violations[0].location == ("items", 1, "title")
    assert not_stored(store)


async def test_every_item_naming_a_missing_row_is_named_with_the_broken_rules_in_order(
    services: Container, store: InMemoryStore, ada: int, launch: int
) -> None:
    batch = [
        CreateTask(title="a", project_id=404),
        CreateTask(title=""),
        CreateTask(title="c", project_id=launch, assignee_id=ada),
        CreateTask(title="d", assignee_id=405, project_id=404),
    ]
    with pytest.raises(DomainError) as error:
        await services.create_tasks()(CreateTasks(batch))
    assert error.value.violations == [
        Violation("project_id", "project does not exist", "reference_not_found", ("items", 0)),
        Violation("title", "must not be empty", "string_too_short", ("items", 1)),
        Violation("project_id", "project does not exist", "reference_not_found", ("items", 3)),
        Violation("assignee_id", "user does not exist", "reference_not_found", ("items", 3)),
    ]
    assert not_stored(store)


async def test_a_batch_looks_each_kind_of_reference_up_once(
    recording: RecordingUnitOfWork, clock: FakeClock, ada: int, launch: int
) -> None:
    batch = [
        CreateTask(title="a", project_id=launch, assignee_id=ada),
        CreateTask(title="b", project_id=launch),
        CreateTask(title="c", assignee_id=ada),
        CreateTask(title="d"),
    ]
    views = await CreateTasksHandler(lambda: recording, clock)(CreateTasks(batch))
    assert [(r.repository, r.method, r.argument) for r in recording.reads] == [
        ("projects", "missing", {launch}),
        ("users", "missing", {ada}),
    ]
    assert [(v.project_id, v.assignee_id) for v in views] == [
        (launch, ada),
        (launch, None),
        (None, ada),
        (None, None),
    ]


async def test_a_batch_that_names_no_row_looks_nothing_up(
    recording: RecordingUnitOfWork, clock: FakeClock, store: InMemoryStore
) -> None:
    views = await CreateTasksHandler(lambda: recording, clock)(
        CreateTasks([CreateTask(title="a"), CreateTask(title="b")])
    )
    assert recording.reads == []
    assert sorted(store.tasks) == [v.id for v in views]


async def test_a_batch_created_within_a_unit_of_work_is_the_callers_to_commit(
    recording: RecordingUnitOfWork, clock: FakeClock, store: InMemoryStore
) -> None:
    handler = CreateTasksHandler(lambda: recording, clock)
    async with recording as uow:
        views = await handler.within(uow, CreateTasks([CreateTask(title="a")]))
        assert [v.title for v in views] == ["a"]
    assert not_stored(store)


def test_a_create_command_is_made_from_anything_with_its_fields() -> None:
    line = SimpleNamespace(
        title="t",
        description="d",
        status="done",
        priority="low",
        due_date=None,
        tags=["b", "a"],
        project_id=3,
        assignee_id=4,
        extra="ignored",
    )
    assert CreateTask.of(line) == CreateTask(
        title="t",
        description="d",
        status="done",
        priority="low",
        due_date=None,
        tags=("b", "a"),
        project_id=3,
        assignee_id=4,
    )


# Changing many tasks


@pytest.fixture
async def three(services: Container, clock: FakeClock) -> list[int]:
    """Tasks 1..3, the second already done."""
    ids = []
    for status in ("todo", "done", "in_progress"):
        view = await services.create_task()(CreateTask(title=f"t-{status}", status=status))
        ids.append(view.id)
    clock.advance(seconds=5)
    return ids


async def test_a_bulk_change_applies_to_each_task_and_versions_only_those_it_changed(
    services: Container, store: InMemoryStore, clock: FakeClock, three: list[int]
) -> None:
    created = store.tasks[three[1]].completed_at
    updated = await services.bulk_update_tasks()(
        BulkUpdateTasks(frozenset(three), TaskChanges(status="done"))
    )
    assert updated == 3
    todo, done, started = (store.tasks[i] for i in three)
    assert (todo.status, todo.version, todo.completed_at) == (Status.DONE, 2, clock.now())
    assert (done.status, done.version, done.completed_at) == (Status.DONE, 1, created)
    assert (started.status, started.version, started.updated_at) == (Status.DONE, 2, clock.now())
    assert done.updated_at < clock.now()


async def test_a_bulk_change_sets_references_and_leaves_the_other_fields_alone(
    services: Container, store: InMemoryStore, three: list[int], ada: int, launch: int
) -> None:
    await services.bulk_update_tasks()(
        BulkUpdateTasks(
            frozenset(three[:2]),
            TaskChanges(priority="high", assignee_id=ada, project_id=launch),
        )
    )
    for task_id in three[:2]:
        task = store.tasks[task_id]
        assert (task.priority, task.assignee_id, task.project_id) == (Priority.HIGH, ada, launch)
    untouched = store.tasks[three[2]]
    assert (untouched.priority, untouched.assignee_id, untouched.version) == (
        Priority.MEDIUM,
        None,
        1,
    )
    assert [store.tasks[i].title for i in three] == ["t-todo", "t-done", "t-in_progress"]


async def test_a_bulk_change_counts_the_distinct_tasks_named_even_if_none_changed(
    services: Container, store: InMemoryStore, three: list[int]
) -> None:
    updated = await services.bulk_update_tasks()(
        BulkUpdateTasks(frozenset([three[1], three[1]]), TaskChanges(status="done"))
    )
    assert updated == 1
    assert store.tasks[three[1]].version == 1


async def test_a_bulk_change_naming_unknown_tasks_is_not_found_and_changes_nothing(
    services: Container, store: InMemoryStore, three: list[int]
) -> None:
    with pytest.raises(NotFound) as error:
        await services.bulk_update_tasks()(
            BulkUpdateTasks(frozenset({12, three[0], 9}), TaskChanges(priority="low"))
        )
    assert str(error.value) == "task 9, 12 does not exist"
    assert {t.version for t in store.tasks.values()} == {1}


async def test_a_bulk_change_that_names_no_allowed_field_is_refused(
    services: Container, three: list[int]
) -> None:
    with pytest.raises(DomainError) as error:
        await services.bulk_update_tasks()(BulkUpdateTasks(frozenset(three), TaskChanges()))
    assert error.value.violations == [
        Violation("changes", "name at least one field to change", "changes_empty")
    ]


async def test_a_bulk_change_of_a_field_that_is_not_changed_in_bulk_is_refused(
    services: Container, store: InMemoryStore, three: list[int]
) -> None:
    changes = TaskChanges(title="renamed", tags=[], status="done")
    with pytest.raises(DomainError) as error:
        await services.bulk_update_tasks()(BulkUpdateTasks(frozenset(three), changes))
    assert error.value.violations == [
        Violation("tags", "cannot be changed in bulk", "not_bulk_changeable", ("changes",)),
        Violation("title", "cannot be changed in bulk", "not_bulk_changeable", ("changes",)),
    ]
    assert [(t.title, t.version) for t in store.tasks.values()] == [
        ("t-todo", 1),
        ("t-done", 1),
        ("t-in_progress", 1),
    ]


@pytest.mark.parametrize(
    ("changes", "violation"),
    [
        (
            {"status": "finished"},
            Violation("status", "must be one of todo, in_progress, done", "enum", ("changes",)),
        ),
        (
            {"project_id": 404},
            Violation("project_id", "project does not exist", "reference_not_found", ("changes",)),
        ),
        (
            {"assignee_id": 405, "status": "done"},
            Violation("assignee_id", "user does not exist", "reference_not_found", ("changes",)),
        ),
    ],
)
async def test_a_broken_rule_of_a_bulk_change_is_named_inside_changes_and_changes_nothing(
    services: Container,
    store: InMemoryStore,
    three: list[int],
    changes: dict[str, object],
    violation: Violation,
) -> None:
    with pytest.raises(DomainError) as error:
        await services.bulk_update_tasks()(
            BulkUpdateTasks(frozenset(three), TaskChanges(**changes))  # type: ignore[arg-type]
        )
    assert error.value.violations == [violation]
    assert [(t.status, t.version) for t in store.tasks.values()] == [
        (Status.TODO, 1),
        (Status.DONE, 1),
        (Status.IN_PROGRESS, 1),
    ]


async def test_a_bulk_change_holds_the_tasks_off_other_writers(
    recording: RecordingUnitOfWork, clock: FakeClock, three: list[int]
) -> None:
    await BulkUpdateTasksHandler(lambda: recording, clock)(
        BulkUpdateTasks(frozenset(three), TaskChanges(priority="high"))
    )
    [read] = recording.reads_of("tasks", "get_many")
    assert (read.argument, read.for_update) == (set(three), True)


async def test_a_bulk_change_is_stamped_with_the_clock(
    services: Container, store: InMemoryStore, clock: FakeClock, three: list[int]
) -> None:
    clock.advance(hours=1)
    await services.bulk_update_tasks()(
        BulkUpdateTasks(frozenset(three[:1]), TaskChanges(priority="low"))
    )
    task = store.tasks[three[0]]
    assert task.updated_at == clock.now() == task.created_at + timedelta(hours=1, seconds=5)


# Deleting many tasks


async def test_a_bulk_delete_removes_the_named_tasks_that_exist_and_counts_them(
    services: Container, store: InMemoryStore, three: list[int]
) -> None:
    deleted = await services.bulk_delete_tasks()(frozenset({three[0], three[2], 99}))
    assert deleted == 2
    assert list(store.tasks) == [three[1]]
    assert await services.bulk_delete_tasks()(frozenset({three[0]})) == 0
    assert list(store.tasks) == [three[1]]


async def test_a_bulk_delete_is_one_unit_of_work(
    recording: RecordingUnitOfWork, store: InMemoryStore, three: list[int]
) -> None:
    assert await BulkDeleteTasksHandler(lambda: recording)(frozenset(three)) == 3
    assert recording.committed
    assert store.tasks == {}
