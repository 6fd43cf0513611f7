"""A use case that fails half-way leaves no trace: checked by reading the tables directly.

The failure is injected through a port: the container's unit of work is
replaced by the real SQL one whose repositories (and idempotency store) raise
right after their Nth write has reached the database, for every N a flow has.
A second kind of failure is the database's own: a foreign key that fails on
the last row of a bulk insert. Each flow is also run without a failure, to
show that it does change the tables this test reads.

On SQLite and PostgreSQL (``container``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable
from datetime import date
from types import TracebackType
from typing import Any

import pytest
from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from application.idempotency_keys import IdempotencyKey, Reply
from application.projects.create_project import CreateProject
from application.projects.update_project import UpdateProject
from application.tasks.bulk_update_tasks import BulkUpdateTasks
from application.tasks.create_task import CreateTask
from application.tasks.create_tasks import CreateTasks
from application.tasks.update_task import UpdateTask
from application.users.register_user import RegisterUser
from application.users.update_user import UpdateUser
from domain.projects import ProjectChanges
from domain.tasks import Task, TaskChanges
from domain.users import UserChanges
from infrastructure.persistence.schema import metadata
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from interfaces.container import Container
from tests.support.databases import operator
from tests.support.statements import count_statements

WRITES = frozenset(
    {
        "add", "save", "delete", "add_many", "save_many", "delete_many",
        "delete_all_in", "claim", "record",
    }
)  # fmt: skip


class InjectedFailure(Exception):
    pass


class Tripwire:
    """Counts the writes of one unit of work and fails right after the ``after``-th."""

    def __init__(self, after: int | None) -> None:
        self.after = after
        self.writes: list[str] = []

    def wrote(self, name: str) -> None:
        self.writes.append(name)
        if len(self.writes) == self.after:
            raise InjectedFailure(f"injected after write {self.after} ({name})")


class Tripping:
    """A repository (or idempotency store) whose writes go through, then count."""

    def __init__(self, inner: Any, name: str, tripwire: Tripwire) -> None:
        self._inner, self._name, self._tripwire = inner, name, tripwire

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self._inner, attribute)
        if attribute not in WRITES:
            return found

        async def write(*args: Any, **kwargs: Any) -> Any:
            result = await found(*args, **kwargs)
            self._tripwire.wrote(f"{self._name}.{attribute}")
            return result

        return write


class TrippingUnitOfWork:
    """The real SQL unit of work, seen through tripping repositories."""

    def __init__(self, inner: SqlUnitOfWork, tripwire: Tripwire) -> None:
        self._inner, self._tripwire = inner, tripwire

    async def __aenter__(self) -> TrippingUnitOfWork:
        await self._inner.__aenter__()
        for name in ("tasks", "users", "projects", "idempotency"):
            setattr(self, name, Tripping(getattr(self._inner, name), name, self._tripwire))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await self._inner.commit()

    async def rollback(self) -> None:
        await self._inner.rollback()


def trip(container: Container, after: int | None) -> Tripwire:
    """Make every unit of work the container hands out fail after its ``after``-th write."""
    tripwire = Tripwire(after)
    container.unit_of_work.override(
        providers.Factory(
            TrippingUnitOfWork,
            providers.Factory(SqlUnitOfWork, container.engine),
            tripwire,
        )
    )
    return tripwire


async def tables(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read with plain SQL."""
    async with operator(container.engine()) as connection:
        return {
            table.name: [
                tuple(row)
                for row in await connection.execute(
                    text(f"SELECT * FROM {table.name} ORDER BY 1, 2")
                )
            ]
            for table in metadata.sorted_tables
        }


# --- the flows -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Seeded:
    user: int
    project: int
    task: int
    other_task: int


async def seed(container: Container) -> Seeded:
    user = await container.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    project = await container.create_project()(CreateProject(name="p", owner_id=user.id))
    task = await container.create_task()(
        CreateTask(title="t", tags=("a", "b"), project_id=project.id, assignee_id=user.id)
    )
    other = await container.create_task()(CreateTask(title="u", tags=("a",), assignee_id=user.id))
    return Seeded(user=user.id, project=project.id, task=task.id, other_task=other.id)


Flow = Callable[[Container, Seeded], Awaitable[object]]


async def register_user(c: Container, _: Seeded) -> object:
    return await c.register_user()(RegisterUser(email="grace@example.org", name="Grace"))


async def update_user(c: Container, s: Seeded) -> object:
    return await c.update_user()(UpdateUser(s.user, UserChanges(name="Ada L.")))


async def delete_user(c: Container, s: Seeded) -> object:
    return await c.delete_user()(s.user)


async def create_project(c: Container, s: Seeded) -> object:
    return await c.create_project()(CreateProject(name="q", owner_id=s.user))


async def update_project(c: Container, s: Seeded) -> object:
    return await c.update_project()(UpdateProject(s.project, ProjectChanges(name="p2")))


async def delete_project(c: Container, s: Seeded) -> object:
    return await c.delete_project()(s.project)


async def create_task(c: Container, s: Seeded) -> object:
    command = CreateTask(title="new", tags=("fresh", "a"), project_id=s.project)
    return await c.create_task()(command)


async def update_task(c: Container, s: Seeded) -> object:
    changes = TaskChanges(title="changed", status="done", tags=("c",), due_date=date(2026, 1, 2))
    return await c.update_task()(UpdateTask(s.task, changes))


async def delete_task(c: Container, s: Seeded) -> object:
    return await c.delete_task()(s.task)


async def create_tasks(c: Container, s: Seeded) -> object:
    items = [
        CreateTask(title=f"n{i}", tags=(f"bulk{i % 3}",), project_id=s.project) for i in range(50)
    ]
    return await c.create_tasks()(CreateTasks(items))


async def bulk_update_tasks(c: Container, s: Seeded) -> object:
    changes = TaskChanges(status="done", assignee_id=None)
    return await c.bulk_update_tasks()(BulkUpdateTasks(frozenset({s.task, s.other_task}), changes))


async def bulk_delete_tasks(c: Container, s: Seeded) -> object:
    return await c.bulk_delete_tasks()(frozenset({s.task, s.other_task}))


async def create_task_once(c: Container, s: Seeded) -> object:
    key = IdempotencyKey(scope="POST /api/v1/tasks", key="k-1", fingerprint="f")
    command = CreateTask(title="once", tags=("fresh",))
    return await c.run_once()(
        key, lambda uow: c.create_task().within(uow, command), lambda _: Reply(201, b"{}")
    )


# Each flow with the writes it makes, in order: the failure is injected after each of them.
FLOWS: dict[str, tuple[Flow, list[str]]] = {
    "register a user": (register_user, ["users.add"]),
    "update a user": (update_user, ["users.save"]),
    "delete a user": (
        delete_user,
        ["tasks.save_many", "projects.save_many", "users.delete"],
    ),
    "create a project": (create_project, ["projects.add"]),
    "update a project": (update_project, ["projects.save"]),
    "delete a project": (delete_project, ["tasks.delete_all_in", "projects.delete"]),
    "create a task": (create_task, ["tasks.add"]),
    "update a task": (update_task, ["tasks.save"]),
    "delete a task": (delete_task, ["tasks.delete"]),
    "create tasks in bulk": (create_tasks, ["tasks.add_many"]),
    "update tasks in bulk": (bulk_update_tasks, ["tasks.save_many"]),
    "delete tasks in bulk": (bulk_delete_tasks, ["tasks.delete_many"]),
    "create a task under an idempotency key": (
        create_task_once,
        ["idempotency.claim", "tasks.add", "idempotency.record"],
    ),
}

FAILURES = [
    pytest.param(name, after, id=f"{name}, failing after {write}")
    for name, (_, writes) in FLOWS.items()
    for after, write in enumerate(writes, start=1)
]


@pytest.mark.parametrize(("flow", "after"), FAILURES)
async def test_a_use_case_failing_after_a_write_leaves_every_table_as_it_was(
    container: Container, flow: str, after: int
) -> None:
    seeded = await seed(container)
    before = await tables(container)
    tripwire = trip(container, after)
    run, writes = FLOWS[flow]

    async with count_statements(container.engine()) as statements:
        with pytest.raises(InjectedFailure):
            await run(container, seeded)

    assert tripwire.writes == writes[:after]
    assert statements.writes, "the write reached the database before the failure"
    assert await tables(container) == before


@pytest.mark.parametrize("flow", FLOWS)
async def test_without_a_failure_each_flow_makes_its_writes_and_changes_the_tables(
    container: Container, flow: str
) -> None:
    seeded = await seed(container)
    before = await tables(container)
    tripwire = trip(container, None)
    run, writes = FLOWS[flow]

    await run(container, seeded)

    assert tripwire.writes == writes
    assert await tables(container) != before


# --- a constraint of the database itself ---------------------------------------------------------


class LastRowBreaksACheck:
    """A task repository whose ``add_many`` sends a last row that breaks a CHECK constraint."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._inner, attribute)

    async def add_many(self, tasks: list[Task]) -> list[Task]:
        last = dataclasses.replace(tasks[-1], version=0)  # ck_task_version: version >= 1
        return await self._inner.add_many([*tasks[:-1], last])  # type: ignore[no-any-return]


class BreakingUnitOfWork(TrippingUnitOfWork):
    async def __aenter__(self) -> BreakingUnitOfWork:
        await super().__aenter__()
        self.tasks = LastRowBreaksACheck(self._inner.tasks)
        return self


async def test_a_constraint_failing_on_the_last_row_of_a_bulk_insert_stores_none_of_it(
    container: Container,
) -> None:
    seeded = await seed(container)
    before = await tables(container)
    container.unit_of_work.override(
        providers.Factory(
            BreakingUnitOfWork,
            providers.Factory(SqlUnitOfWork, container.engine),
            Tripwire(None),
        )
    )
    items = [
        CreateTask(title=f"n{i}", tags=("bulk", f"t{i % 7}"), project_id=seeded.project)
        for i in range(1000)
    ]

    async with count_statements(container.engine()) as statements:
        with pytest.raises(IntegrityError):
            await container.create_tasks()(CreateTasks(items))

    assert any(re.search(r"INSERT INTO task \(", s) for s in statements.writes)
    assert await tables(container) == before
