"""The composition root: the only place where adapters meet the use cases.

Nothing here runs at import: providers build their objects when first asked,
which the app's lifespan and the CLI commands do at start-up.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from application.tasks.create_task import CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.list_tasks import ListTasksHandler
from application.tasks.task_stats import TaskStatsHandler
from application.tasks.update_task import UpdateTaskHandler
from infrastructure.clock import SystemClock
from infrastructure.persistence.engine import create_engine, create_session_factory
from infrastructure.persistence.task_reader import SqlTaskReader
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    engine = providers.Singleton(create_engine, settings)
    sessions = providers.Singleton(create_session_factory, engine)
    clock = providers.Singleton(SystemClock)

    unit_of_work = providers.Factory(SqlUnitOfWork, sessions)
    task_reader = providers.Singleton(SqlTaskReader, engine)

    create_task = providers.Factory(CreateTaskHandler, uow=unit_of_work.provider, clock=clock)
    get_task = providers.Factory(GetTaskHandler, reader=task_reader)
    list_tasks = providers.Factory(ListTasksHandler, reader=task_reader)
    update_task = providers.Factory(UpdateTaskHandler, uow=unit_of_work.provider, clock=clock)
    delete_task = providers.Factory(DeleteTaskHandler, uow=unit_of_work.provider)
    task_stats = providers.Factory(TaskStatsHandler, reader=task_reader, clock=clock)


async def dispose(container: Container) -> None:
    """Release what the container holds (the engine's pool); it can start again later."""
    engine = container.engine()
    await engine.dispose()
    container.reset_singletons()
