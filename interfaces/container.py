"""The composition root: the only place where adapters meet the use cases.

Nothing here runs at import: providers build their objects when first asked,
which the app's lifespan and the CLI commands do at start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from dependency_injector import containers, providers

from application.keys.create_key import CreateKeyHandler
from application.keys.list_keys import ListKeysHandler
from application.keys.revoke_key import RevokeKeyHandler
from application.ports import Authenticator
from application.projects.create_project import CreateProjectHandler
from application.projects.delete_project import DeleteProjectHandler
from application.projects.get_project import GetProjectHandler
from application.projects.list_projects import ListProjectsHandler
from application.projects.update_project import UpdateProjectHandler
from application.run_once import RunOnceHandler
from application.tags.list_tags import ListTagsHandler
from application.tasks.bulk_delete_tasks import BulkDeleteTasksHandler
from application.tasks.bulk_update_tasks import BulkUpdateTasksHandler
from application.tasks.create_task import CreateTaskHandler
from application.tasks.create_tasks import CreateTasksHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.export_tasks import ExportTasksHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.import_tasks import ImportTasksHandler
from application.tasks.list_tasks import ListTasksHandler
from application.tasks.task_stats import TaskStatsHandler
from application.tasks.update_task import UpdateTaskHandler
from application.users.delete_user import DeleteUserHandler
from application.users.get_user import GetUserHandler
from application.users.list_users import ListUsersHandler
from application.users.register_user import RegisterUserHandler
from application.users.update_user import UpdateUserHandler
from application.workspaces.create_workspace import CreateWorkspaceHandler
from application.workspaces.find_workspace import FindWorkspaceHandler
from application.workspaces.list_workspaces import ListWorkspacesHandler
from infrastructure.auth.api_keys import ApiKeyAuthenticator, HmacKeySecrets, hash_key_from
from infrastructure.auth.jwt_tokens import JwtAuthenticator
from infrastructure.clock import SystemClock
from infrastructure.cursors import HmacCursorCodec
from infrastructure.database.engine import create_engine
from infrastructure.persistence.access.founding import SqlWorkspaceFounding
from infrastructure.persistence.access.key_reader import SqlKeyReader
from infrastructure.persistence.access.workspace_reader import SqlWorkspaceReader
from infrastructure.persistence.projects.reader import SqlProjectReader
from infrastructure.persistence.reads import SqlAlchemyReads, create_reads
from infrastructure.persistence.tasks.reader import SqlTagReader, SqlTaskReader, SqlTaskStream
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.persistence.users.reader import SqlUserReader
from infrastructure.persistence.workspaces.isolation import RUNTIME_ROLE
from infrastructure.persistence.workspaces.keys import SqlKeyStore
from infrastructure.rate_limits.stores import counter_store, rate_limiter
from infrastructure.settings import Settings


def _chosen(auth: str, **choices: Callable[[], Authenticator]) -> Authenticator:
    """The authenticator ``auth`` names, built once: every request asks for it, and a
    ``Selector`` would choose again each time (1.4 µs; a ``Singleton`` answers in 0.05)."""
    return choices[auth]()


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    # On a direct connection every session is the runtime role's (reads.AsyncpgReads).
    engine = providers.Singleton(create_engine, settings, session_role=RUNTIME_ROLE)
    clock = providers.Singleton(SystemClock)

    unit_of_work = providers.Factory(SqlUnitOfWork, engine)

    # AUTH chooses how callers authenticate; another authenticator is one more entry.
    key_store = providers.Singleton(SqlKeyStore, engine)
    authenticator = providers.Singleton(
        _chosen,
        settings.provided.auth,
        api_keys=providers.Factory(
            ApiKeyAuthenticator,
            key_store,
            providers.Callable(hash_key_from, settings),
            clock,
        ).provider,
        jwt=providers.Factory(JwtAuthenticator.from_settings, settings).provider,
    )
    # Rate limit counters: in Redis (REDIS_URL), shared by every worker, else in memory.
    counter_store = providers.Singleton(counter_store, settings)
    rate_limiter = providers.Singleton(rate_limiter, counter_store, settings)
    cursors = providers.Singleton(HmacCursorCodec.from_settings, settings)
    # Reads through SQLAlchemy; tasks, the hottest, on asyncpg's own protocol where it can.
    reads = providers.Singleton(SqlAlchemyReads, engine)
    task_reads = providers.Singleton(
        create_reads,
        engine,
        pooled=settings.provided.uses_pooler,
        fast=settings.provided.db_fast_reads,
    )
    task_reader = providers.Singleton(SqlTaskReader, task_reads)
    user_reader = providers.Singleton(SqlUserReader, reads)
    project_reader = providers.Singleton(SqlProjectReader, reads)
    tag_reader = providers.Singleton(SqlTagReader, reads)

    create_task = providers.Factory(CreateTaskHandler, uow=unit_of_work.provider, clock=clock)
    get_task = providers.Factory(GetTaskHandler, reader=task_reader)
    list_tasks = providers.Factory(ListTasksHandler, reader=task_reader, cursors=cursors)
    update_task = providers.Factory(UpdateTaskHandler, uow=unit_of_work.provider, clock=clock)
    delete_task = providers.Factory(DeleteTaskHandler, uow=unit_of_work.provider)
    task_stats = providers.Factory(TaskStatsHandler, reader=task_reader, clock=clock)
    task_stream = providers.Singleton(SqlTaskStream, reads)
    import_tasks = providers.Factory(ImportTasksHandler, uow=unit_of_work.provider, clock=clock)
    create_tasks = providers.Factory(CreateTasksHandler, uow=unit_of_work.provider, clock=clock)
    bulk_update_tasks = providers.Factory(
        BulkUpdateTasksHandler, uow=unit_of_work.provider, clock=clock
    )
    bulk_delete_tasks = providers.Factory(BulkDeleteTasksHandler, uow=unit_of_work.provider)
    run_once = providers.Factory(RunOnceHandler, uow=unit_of_work.provider, clock=clock)
    export_tasks = providers.Factory(ExportTasksHandler, stream=task_stream)

    register_user = providers.Factory(RegisterUserHandler, uow=unit_of_work.provider, clock=clock)
    get_user = providers.Factory(GetUserHandler, reader=user_reader)
    list_users = providers.Factory(ListUsersHandler, reader=user_reader, cursors=cursors)
    update_user = providers.Factory(UpdateUserHandler, uow=unit_of_work.provider, clock=clock)
    delete_user = providers.Factory(DeleteUserHandler, uow=unit_of_work.provider, clock=clock)

    create_project = providers.Factory(CreateProjectHandler, uow=unit_of_work.provider, clock=clock)
    get_project = providers.Factory(GetProjectHandler, reader=project_reader)
    list_projects = providers.Factory(ListProjectsHandler, reader=project_reader, cursors=cursors)
    update_project = providers.Factory(
        UpdateProjectHandler, uow=unit_of_work.provider, clock=clock, reader=project_reader
    )
    delete_project = providers.Factory(DeleteProjectHandler, uow=unit_of_work.provider)

    list_tags = providers.Factory(ListTagsHandler, reader=tag_reader, cursors=cursors)

    key_secrets = providers.Singleton(HmacKeySecrets, providers.Callable(hash_key_from, settings))
    key_reader = providers.Singleton(SqlKeyReader, reads)
    create_key = providers.Factory(
        CreateKeyHandler, uow=unit_of_work.provider, secrets=key_secrets, clock=clock
    )
    list_keys = providers.Factory(ListKeysHandler, reader=key_reader, cursors=cursors)
    revoke_key = providers.Factory(RevokeKeyHandler, uow=unit_of_work.provider)

    # An operator's, outside every workspace.
    workspace_founding = providers.Factory(SqlWorkspaceFounding, engine)
    workspace_reader = providers.Singleton(SqlWorkspaceReader, engine)
    create_workspace = providers.Factory(
        CreateWorkspaceHandler,
        founding=workspace_founding.provider,
        secrets=key_secrets,
        clock=clock,
    )
    list_workspaces = providers.Factory(ListWorkspacesHandler, reader=workspace_reader)
    find_workspace = providers.Factory(FindWorkspaceHandler, reader=workspace_reader)


async def dispose(container: Container) -> None:
    """Release what the container holds (the engine's pool, the connections to Redis);
    it can start again later."""
    engine = container.engine()
    await engine.dispose()
    await container.counter_store().close()
    container.reset_singletons()
