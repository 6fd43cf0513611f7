import dataclasses
from datetime import date

import pytest

from application.errors import ConcurrentUpdate, InvalidReference, NotFound, PreconditionFailed
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from application.versioning import MAX_ATTEMPTS
from domain.errors import DomainError, Violation
from domain.tasks import TaskChanges
from domain.values import Status
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from tests.support.clock import FakeClock
from tests.support.recording import RecordingUnitOfWork


async def test_creating_a_task_stores_it_with_an_id(
    create_task: CreateTaskHandler, get_task: GetTaskHandler, store: InMemoryStore
) -> None:
    view = await create_task(CreateTask(title="x", tags=("b", "a")))
    assert view.id == 1
    assert await get_task(1) == view
    assert store.tasks[1].tags == ("a", "b")


async def test_an_invalid_task_is_not_stored(
    create_task: CreateTaskHandler, store: InMemoryStore
) -> None:
    with pytest.raises(DomainError):
        await create_task(CreateTask(title=" "))
    assert store.tasks == {}


async def test_getting_a_missing_task_is_not_found(get_task: GetTaskHandler) -> None:
    with pytest.raises(NotFound, match="task 7 does not exist"):
        await get_task(7)


async def test_update_changes_only_the_given_fields(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x", description="d", due_date=date(2026, 12, 1)))
    clock.advance(seconds=1)
    view = await update_task(UpdateTask(1, TaskChanges(status="done", due_date=None)))
    assert (view.title, view.description, view.due_date) == ("x", "d", None)
    assert view.status is Status.DONE
    assert view.completed_at == clock.now()
    assert view.version == 2


async def test_a_no_op_update_is_not_written(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler, uow: InMemoryUnitOfWork
) -> None:
    await create_task(CreateTask(title="x"))
    view = await update_task(UpdateTask(1, TaskChanges(title="x")))
    assert view.version == 1
    assert not uow.committed


async def test_update_checks_existence_then_rules_then_version(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler
) -> None:
    with pytest.raises(NotFound):
        await update_task(UpdateTask(9, TaskChanges(title=""), expected_versions=frozenset({5})))
    await create_task(CreateTask(title="x"))
    with pytest.raises(DomainError):
        await update_task(UpdateTask(1, TaskChanges(title=""), expected_versions=frozenset({5})))
    with pytest.raises(PreconditionFailed, match="version 1"):
        await update_task(UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset({5})))


async def test_a_version_mismatch_changes_nothing(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler, store: InMemoryStore
) -> None:
    await create_task(CreateTask(title="x"))
    with pytest.raises(PreconditionFailed):
        await update_task(UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset()))
    assert (store.tasks[1].title, store.tasks[1].version) == ("x", 1)


async def test_a_matching_version_applies_the_change(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler
) -> None:
    await create_task(CreateTask(title="x"))
    view = await update_task(
        UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset({1}))
    )
    assert (view.title, view.version) == ("y", 2)


class RacingUnitOfWork(InMemoryUnitOfWork):
    """Another writer commits just before each of our first ``races`` commits."""

    def __init__(self, store: InMemoryStore, races: int) -> None:
        super().__init__(store)
        self.races = races

    async def commit(self) -> None:
        if self.races:
            self.races -= 1
            current = self._store.tasks[1]
            self._store.tasks[1] = dataclasses.replace(current, version=current.version + 1)
        await super().commit()


async def test_a_blind_update_that_loses_a_race_is_retried(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    racing = RacingUnitOfWork(store, races=2)
    view = await UpdateTaskHandler(lambda: racing, clock)(UpdateTask(1, TaskChanges(title="y")))
    assert (view.title, view.version) == ("y", 4)
    assert store.tasks[1].version == 4


async def test_a_conditional_update_that_loses_a_race_fails_its_precondition(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    racing = RacingUnitOfWork(store, races=1)
    handler = UpdateTaskHandler(lambda: racing, clock)
    with pytest.raises(PreconditionFailed):
        await handler(UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset({1})))
    assert store.tasks[1].title == "x"


async def test_a_blind_update_gives_up_after_the_last_attempt(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    racing = RacingUnitOfWork(store, races=MAX_ATTEMPTS)
    with pytest.raises(ConcurrentUpdate):
        await UpdateTaskHandler(lambda: racing, clock)(UpdateTask(1, TaskChanges(title="y")))
    assert store.tasks[1].title == "x"


async def test_deleting_removes_the_task_and_a_second_delete_is_not_found(
    create_task: CreateTaskHandler, delete_task: DeleteTaskHandler, store: InMemoryStore
) -> None:
    await create_task(CreateTask(title="x"))
    await delete_task(1)
    assert store.tasks == {}
    with pytest.raises(NotFound):
        await delete_task(1)


async def test_leaving_a_unit_of_work_without_commit_discards_its_changes(
    create_task: CreateTaskHandler, uow: InMemoryUnitOfWork, store: InMemoryStore
) -> None:
    await create_task(CreateTask(title="x"))
    async with uow:
        assert await uow.tasks.delete(1)
        assert await uow.tasks.get(1) is None
    assert 1 in store.tasks


async def test_an_exception_in_a_unit_of_work_discards_its_changes(
    uow: InMemoryUnitOfWork, store: InMemoryStore, clock: FakeClock
) -> None:
    from domain.tasks import Task

    with pytest.raises(RuntimeError):
        async with uow:
            await uow.tasks.add(Task.create(title="x", now=clock.now()))
            raise RuntimeError("boom")
    assert store.tasks == {}
    assert not await uow.tasks.delete(99)


async def test_adding_a_task_accepts_a_user_and_project_staged_in_the_same_unit_of_work(
    uow: InMemoryUnitOfWork, store: InMemoryStore, clock: FakeClock
) -> None:
    from application.errors import InvalidReference
    from domain.projects import Project
    from domain.tasks import Task
    from domain.users import User

    async with uow:
        user = await uow.users.add(User.register(email="a@b.co", name="a", now=clock.now()))
        project = await uow.projects.add(Project.create(name="p", now=clock.now()))
        task = Task.create(title="x", now=clock.now(), project_id=project.id, assignee_id=user.id)
        stored = await uow.tasks.add(task)
        with pytest.raises(InvalidReference) as error:
            await uow.tasks.add(Task.create(title="y", now=clock.now(), project_id=10**6))
        await uow.commit()
    assert [v.field for v in error.value.violations] == ["project_id"]
    assert store.tasks[stored.id or 0].assignee_id == user.id


async def test_an_update_says_which_task_is_missing_or_at_which_version_it_is(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler
) -> None:
    with pytest.raises(NotFound) as missing:
        await update_task(UpdateTask(9, TaskChanges(title="y")))
    assert str(missing.value) == "task 9 does not exist"
    await create_task(CreateTask(title="x"))
    with pytest.raises(PreconditionFailed) as stale:
        await update_task(UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset({2})))
    assert str(stale.value) == "task 1 is at version 1; it does not match If-Match"
    assert stale.value.current_version == 1


async def test_an_update_checks_the_project_and_assignee_it_names(
    create_task: CreateTaskHandler, update_task: UpdateTaskHandler, store: InMemoryStore
) -> None:
    await create_task(CreateTask(title="x"))
    with pytest.raises(InvalidReference) as error:
        await update_task(UpdateTask(1, TaskChanges(project_id=40, title="y")))
    assert error.value.violations == [
        Violation("project_id", "project does not exist", "reference_not_found")
    ]
    with pytest.raises(InvalidReference) as error:
        await update_task(UpdateTask(1, TaskChanges(project_id=40, assignee_id=41)))
    assert [v.field for v in error.value.violations] == ["project_id", "assignee_id"]
    assert (store.tasks[1].title, store.tasks[1].project_id, store.tasks[1].version) == (
        "x",
        None,
        1,
    )


async def test_an_update_holds_the_task_off_other_writers(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    recording = RecordingUnitOfWork(store)
    await UpdateTaskHandler(lambda: recording, clock)(UpdateTask(1, TaskChanges(title="y")))
    [read] = recording.reads_of("tasks", "get")
    assert (read.argument, read.for_update) == (1, True)


async def test_a_blind_update_may_take_every_attempt(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    racing = RacingUnitOfWork(store, races=MAX_ATTEMPTS - 1)
    view = await UpdateTaskHandler(lambda: racing, clock)(UpdateTask(1, TaskChanges(title="y")))
    assert (view.title, view.version) == ("y", MAX_ATTEMPTS + 1)


async def test_a_lost_race_says_what_happened(
    create_task: CreateTaskHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    await create_task(CreateTask(title="x"))
    conditional = UpdateTaskHandler(lambda: RacingUnitOfWork(store, races=1), clock)
    with pytest.raises(PreconditionFailed) as stale:
        await conditional(UpdateTask(1, TaskChanges(title="y"), expected_versions=frozenset({1})))
    assert str(stale.value) == "task 1 has changed; it does not match If-Match"
    assert isinstance(stale.value.__cause__, ConcurrentUpdate)
    blind = UpdateTaskHandler(lambda: RacingUnitOfWork(store, races=MAX_ATTEMPTS), clock)
    with pytest.raises(ConcurrentUpdate) as lost:
        await blind(UpdateTask(1, TaskChanges(title="y")))
    assert str(lost.value) == "task 1 was changed concurrently; retry the request"
