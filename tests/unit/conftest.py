import pytest
from dependency_injector import providers

from application.tasks.create_task import CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.list_tasks import ListTasksHandler
from application.tasks.task_stats import TaskStatsHandler
from application.tasks.update_task import UpdateTaskHandler
from infrastructure.cursors import HmacCursorCodec
from infrastructure.memory.access import (
    InMemoryKeyReader,
    InMemoryWorkspaceFounding,
    InMemoryWorkspaceReader,
)
from infrastructure.memory.readers import (
    InMemoryProjectReader,
    InMemoryTagReader,
    InMemoryUserReader,
)
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.task_reader import InMemoryTaskReader
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from interfaces.container import Container
from tests.support.clock import FakeClock


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow(store: InMemoryStore) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(store)


@pytest.fixture
def create_task(uow: InMemoryUnitOfWork, clock: FakeClock) -> CreateTaskHandler:
    return CreateTaskHandler(lambda: uow, clock)


@pytest.fixture
def update_task(uow: InMemoryUnitOfWork, clock: FakeClock) -> UpdateTaskHandler:
    return UpdateTaskHandler(lambda: uow, clock)


@pytest.fixture
def delete_task(uow: InMemoryUnitOfWork) -> DeleteTaskHandler:
    return DeleteTaskHandler(lambda: uow)


@pytest.fixture
def task_reader(store: InMemoryStore) -> InMemoryTaskReader:
    return InMemoryTaskReader(store)


@pytest.fixture
def get_task(task_reader: InMemoryTaskReader) -> GetTaskHandler:
    return GetTaskHandler(task_reader)


@pytest.fixture
def list_tasks(task_reader: InMemoryTaskReader) -> ListTasksHandler:
    return ListTasksHandler(task_reader, HmacCursorCodec(b"unit-tests"))


@pytest.fixture
def task_stats(task_reader: InMemoryTaskReader, clock: FakeClock) -> TaskStatsHandler:
    return TaskStatsHandler(task_reader, clock)


@pytest.fixture
def services(store: InMemoryStore, clock: FakeClock) -> Container:
    """The real container with its persistence replaced by in-memory adapters."""
    container = Container()
    container.clock.override(providers.Object(clock))
    container.unit_of_work.override(providers.Factory(InMemoryUnitOfWork, store))
    container.task_reader.override(providers.Object(InMemoryTaskReader(store)))
    container.user_reader.override(providers.Object(InMemoryUserReader(store)))
    container.project_reader.override(providers.Object(InMemoryProjectReader(store)))
    container.tag_reader.override(providers.Object(InMemoryTagReader(store)))
    container.key_reader.override(providers.Object(InMemoryKeyReader(store)))
    container.workspace_reader.override(providers.Object(InMemoryWorkspaceReader(store)))
    container.workspace_founding.override(providers.Factory(InMemoryWorkspaceFounding, store))
    return container
