"""Adding tasks in batches and reading them back in batches, on in-memory adapters."""

from __future__ import annotations

import pytest

from application.errors import InvalidQuery
from application.projects.create_project import CreateProject, CreateProjectHandler
from application.queries import TaskFilter
from application.tasks.create_task import CreateTask
from application.tasks.export_tasks import ExportTasks, ExportTasksHandler
from application.tasks.import_tasks import ImportTasks, ImportTasksHandler, InvalidTaskInBatch
from domain.errors import Violation
from domain.values import Status
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.task_stream import InMemoryTaskStream
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from tests.support.clock import FakeClock


@pytest.fixture
def import_tasks(uow: InMemoryUnitOfWork, clock: FakeClock) -> ImportTasksHandler:
    return ImportTasksHandler(lambda: uow, clock)


@pytest.fixture
def export_tasks(store: InMemoryStore) -> ExportTasksHandler:
    return ExportTasksHandler(InMemoryTaskStream(store))


async def exported(handler: ExportTasksHandler, query: ExportTasks) -> list[list[int]]:
    return [[view.id for view in batch] async for batch in handler(query)]


async def test_a_batch_is_stored_in_order_with_new_ids_and_normalised_rules(
    import_tasks: ImportTasksHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    views = await import_tasks(
        ImportTasks([CreateTask(title=" one ", tags=("B", "a")), CreateTask(title="two")])
    )
    assert [v.title for v in views] == ["one", "two"]
    assert views[0].tags == ("a", "b")
    assert sorted(store.tasks) == [v.id for v in views]
    assert {v.created_at for v in views} == {clock.now()}


async def test_a_broken_rule_in_one_task_stores_none_of_the_batch_and_names_it(
    import_tasks: ImportTasksHandler, store: InMemoryStore
) -> None:
    batch = [CreateTask(title="fine"), CreateTask(title="  "), CreateTask(title="fine too")]
    with pytest.raises(InvalidTaskInBatch) as raised:
        await import_tasks(ImportTasks(batch))
    assert raised.value.index == 1
    assert [v.field for v in raised.value.violations] == ["title"]
    assert str(raised.value).startswith("task 1: title")
    assert store.tasks == {}


async def test_a_missing_project_is_blamed_on_the_first_task_that_names_it(
    import_tasks: ImportTasksHandler,
    uow: InMemoryUnitOfWork,
    clock: FakeClock,
    store: InMemoryStore,
) -> None:
    project = await CreateProjectHandler(lambda: uow, clock)(CreateProject(name="Launch"))
    batch = [
        CreateTask(title="a", project_id=project.id),
        CreateTask(title="b", assignee_id=404),
        CreateTask(title="c", assignee_id=404),
    ]
    with pytest.raises(InvalidTaskInBatch) as raised:
        await import_tasks(ImportTasks(batch))
    assert raised.value.index == 1
    assert [v.field for v in raised.value.violations] == ["assignee_id"]
    assert store.tasks == {}


async def test_tasks_may_name_existing_projects(
    import_tasks: ImportTasksHandler, uow: InMemoryUnitOfWork, clock: FakeClock
) -> None:
    project = await CreateProjectHandler(lambda: uow, clock)(CreateProject(name="Launch"))
    views = await import_tasks(ImportTasks([CreateTask(title="a", project_id=project.id)] * 3))
    assert [v.project_id for v in views] == [project.id] * 3


async def test_an_empty_batch_stores_nothing(
    import_tasks: ImportTasksHandler, store: InMemoryStore
) -> None:
    assert await import_tasks(ImportTasks([])) == []
    assert store.tasks == {}


async def test_the_export_visits_every_task_once_in_id_order_in_batches(
    import_tasks: ImportTasksHandler, export_tasks: ExportTasksHandler
) -> None:
    views = await import_tasks(ImportTasks([CreateTask(title=f"t{n}") for n in range(7)]))
    ids = [v.id for v in views]
    assert await exported(export_tasks, ExportTasks(batch_size=3)) == [
        ids[0:3],
        ids[3:6],
        ids[6:7],
    ]


async def test_the_export_takes_the_list_filters(
    import_tasks: ImportTasksHandler, export_tasks: ExportTasksHandler
) -> None:
    views = await import_tasks(
        ImportTasks([CreateTask(title="a", status="done"), CreateTask(title="b")] * 2)
    )
    done = frozenset({Status.DONE})
    assert await exported(export_tasks, ExportTasks(TaskFilter(statuses=done), 10)) == [
        [v.id for v in views if v.status is Status.DONE]
    ]


async def test_exporting_nothing_yields_no_batch(export_tasks: ExportTasksHandler) -> None:
    assert await exported(export_tasks, ExportTasks()) == []


@pytest.mark.parametrize("size", [0, 10_001])
def test_an_export_batch_size_out_of_range_is_refused(size: int) -> None:
    with pytest.raises(InvalidQuery):
        ExportTasks(batch_size=size)


@pytest.mark.parametrize("size", [0, 10_001])
def test_an_export_batch_size_out_of_range_is_named(size: int) -> None:
    with pytest.raises(InvalidQuery) as error:
        ExportTasks(batch_size=size)
    assert error.value.violations == [
        Violation("batch_size", "must be between 1 and 10000", "limit_range")
    ]


async def test_the_smallest_and_largest_export_batches_are_accepted(
    import_tasks: ImportTasksHandler, export_tasks: ExportTasksHandler
) -> None:
    views = await import_tasks(ImportTasks([CreateTask(title=f"t{n}") for n in range(3)]))
    ids = [v.id for v in views]
    assert await exported(export_tasks, ExportTasks(batch_size=1)) == [[i] for i in ids]
    assert await exported(export_tasks, ExportTasks(batch_size=10_000)) == [ids]
