"""SQL repositories: aggregates in and out of one transaction. They never commit."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ARRAY, BigInteger, Select, Table, any_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.base import ExecutableOption
from sqlmodel import SQLModel

from application.errors import ConcurrentUpdate, Conflict, InvalidReference
from application.ports import ProjectRepository, Repository, TaskRepository
from domain.aggregates import Versioned
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from infrastructure.persistence import mappers, task_inserts
from infrastructure.persistence.models import ProjectRow, TagRow, TaskRow, UserRow, metadata

A = TypeVar("A", bound=Versioned)
R = TypeVar("R", bound=SQLModel)


def is_unique_violation(error: IntegrityError) -> bool:
    original = error.orig
    return (
        getattr(original, "sqlstate", None) == "23505"  # PostgreSQL unique_violation
        or getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"
    )


class SqlRepository(Generic[A, R]):
    """Load, stage and remove one kind of versioned aggregate through a session."""

    row_type: ClassVar[type[Any]]
    resource: ClassVar[str]
    conflict: ClassVar[str]
    to_aggregate: Callable[[R], A]
    to_columns: Callable[[A], dict[str, Any]]
    load_options: ClassVar[tuple[ExecutableOption, ...]] = ()

    _table: ClassVar[Table]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "row_type" in vars(cls):
            cls._table = metadata.tables[cls.row_type.__tablename__]

    def __init__(
        self, session: Callable[[], Awaitable[AsyncSession]], connection: AsyncConnection
    ) -> None:
        self._session = session
        self._connection = connection
        self._loaded: dict[int, R] = {}
        self._added: set[int] = set()

    async def add(self, aggregate: A) -> A:
        row = self.row_type(**type(self).to_columns(aggregate))
        await self._before_flush(aggregate, row)
        (await self._session()).add(row)
        await self._flush(aggregate)
        self._loaded[row.id] = row
        return dataclasses.replace(aggregate, id=row.id)  # type: ignore[type-var]

    async def get(self, identifier: int, *, for_update: bool = False) -> A | None:
        statement = (
            select(self.row_type).where(self.row_type.id == identifier).options(*self.load_options)
        )
        if for_update:
            statement = statement.with_for_update()
        row = (await (await self._session()).execute(statement)).scalar_one_or_none()
        if row is None:
            return None
        self._loaded[identifier] = row
        return type(self).to_aggregate(row)

    async def save(self, aggregate: A) -> None:
        identifier = aggregate.id
        assert identifier is not None, "save() is for aggregates loaded through get()"
        if identifier in self._added:
            # Added without an ORM row (see SqlTaskRepository.add): load it once.
            self._added.discard(identifier)
            await self.get(identifier)
        row = self._loaded[identifier]
        if row.version != aggregate.version - 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(self.resource, identifier)
        for name, value in type(self).to_columns(aggregate).items():
            setattr(row, name, value)
        await self._before_flush(aggregate, row)
        await self._flush(aggregate)

    async def delete(self, identifier: int) -> bool:
        result = await self._connection.execute(
            delete(self._table).where(self._table.c.id == identifier)
        )
        self._loaded.pop(identifier, None)
        return bool(result.rowcount)

    async def exists(self, identifier: int) -> bool:
        connection = self._connection
        found = await connection.scalar(_exists(self._table), {"id": identifier})
        return found is not None

    async def missing(self, identifiers: set[int]) -> set[int]:
        connection = self._connection
        statement = _missing(self._table, postgres=connection.dialect.name == "postgresql")
        found = await connection.scalars(statement, {"ids": list(identifiers)})
        return identifiers - set(found)

    async def _before_flush(self, aggregate: A, row: R) -> None:
        """A hook for what columns cannot carry (a task's tag links)."""

    async def _flush(self, aggregate: A) -> None:
        try:
            await (await self._session()).flush()
        except StaleDataError as error:
            raise ConcurrentUpdate(self.resource, aggregate.id) from error
        except IntegrityError as error:
            if is_unique_violation(error):
                raise Conflict(self.conflict) from error
            raise


class SqlUserRepository(SqlRepository[User, UserRow], Repository[User]):
    row_type = UserRow
    resource = "user"
    conflict = "a user with this email already exists"
    to_aggregate = staticmethod(mappers.user_from_row)
    to_columns = staticmethod(mappers.user_columns)


class SqlProjectRepository(SqlRepository[Project, ProjectRow], ProjectRepository):
    row_type = ProjectRow
    resource = "project"
    conflict = "a project with this name already exists for this owner"
    to_aggregate = staticmethod(mappers.project_from_row)
    to_columns = staticmethod(mappers.project_columns)

    async def disown_all(self, user_id: int, now: datetime) -> int:
        return await _clear_reference(self._connection, self._table, "owner_id", user_id, now)


class SqlTaskRepository(SqlRepository[Task, TaskRow], TaskRepository):
    row_type = TaskRow
    resource = "task"
    conflict = "the task conflicts with another"
    to_aggregate = staticmethod(mappers.task_from_row)
    to_columns = staticmethod(mappers.task_columns)
    load_options = (selectinload(TaskRow.tags),)  # type: ignore[arg-type]

    async def unassign_all(self, user_id: int, now: datetime) -> int:
        return await _clear_reference(self._connection, self._table, "assignee_id", user_id, now)

    async def get_many(self, task_ids: set[int], *, for_update: bool = False) -> list[Task]:
        statement = (
            select(TaskRow)
            .where(TaskRow.id.in_(task_ids))  # type: ignore[union-attr]
            .options(*self.load_options)
            .order_by(TaskRow.id)  # type: ignore[arg-type]
        )
        if for_update:
            statement = statement.with_for_update()
        rows = list((await (await self._session()).execute(statement)).scalars())
        for row in rows:
            self._loaded[row.id] = row  # type: ignore[index]
        return [mappers.task_from_row(row) for row in rows]

    async def save_many(self, tasks: list[Task]) -> None:
        """One executemany UPDATE, each row conditioned on the version it was loaded at."""
        if not tasks:
            return
        table = self._table
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values({name: bindparam(name) for name in mappers.task_columns(tasks[0])})
        )
        rows = []
        for task in tasks:
            assert task.id is not None
            loaded = self._loaded.pop(task.id)
            (await self._session()).expunge(loaded)
            rows.append(
                {**mappers.task_columns(task), "b_id": task.id, "b_version": loaded.version}
            )
        connection = self._connection
        result = await connection.execute(statement, rows)
        if connection.dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
            raise ConcurrentUpdate(self.resource)

    async def delete_many(self, task_ids: set[int]) -> int:
        result = await self._connection.execute(
            delete(self._table).where(self._table.c.id.in_(task_ids))
        )
        return int(result.rowcount)

    async def delete_all_in(self, project_id: int) -> int:
        result = await self._connection.execute(
            delete(self._table).where(self._table.c.project_id == project_id)
        )
        return int(result.rowcount)

    async def _before_flush(self, aggregate: Task, row: TaskRow) -> None:
        if aggregate.id is None or tuple(t.name for t in row.tags) != aggregate.tags:
            row.tags = await self._tag_rows(aggregate.tags)

    async def _tag_rows(self, names: tuple[str, ...]) -> list[TagRow]:
        """The tag rows for ``names``, creating the missing ones (two statements)."""
        if not names:
            return []
        session = await self._session()
        dialect = self._connection.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.execute(
            insert(TagRow).values([{"name": n} for n in names]).on_conflict_do_nothing()
        )
        found = await session.scalars(
            select(TagRow).where(TagRow.name.in_(names)).order_by(TagRow.name)  # type: ignore[attr-defined]
        )
        return list(found)

    async def add(self, aggregate: Task) -> Task:
        """Written without an ORM row, in a fixed number of statements (``task_inserts``)."""
        connection = self._connection
        # (A task has no unique column: nothing to report as a Conflict.)
        while (identifier := await task_inserts.add(connection, aggregate)) is None:
            # A reference is missing, unless it appeared since: then try again.
            if missing := await task_inserts.missing_references(connection, aggregate):
                raise InvalidReference(missing)
        self._added.add(identifier)
        return dataclasses.replace(aggregate, id=identifier)

    async def add_many(self, tasks: list[Task]) -> list[Task]:
        """Three statements (two on PostgreSQL) for up to 1000 tasks: the tasks, their
        tags, their links."""
        if not tasks:
            return []
        connection = self._connection
        ids = await task_inserts.add_many(connection, tasks)
        return [_with_id(t, i) for t, i in zip(tasks, ids, strict=True)]


def _with_id(task: Task, identifier: int) -> Task:
    """A copy of ``task`` with its id (a quarter of what ``dataclasses.replace`` costs)."""
    stored = object.__new__(Task)
    stored.__dict__.update(task.__dict__, id=identifier)
    return stored


@cache
def _exists(table: Table) -> Select[Any]:
    """``FOR KEY SHARE``: the lock a foreign key takes, which concurrent writers share."""
    return (
        select(table.c.id)
        .where(table.c.id == bindparam("id"))
        .with_for_update(read=True, key_share=True)
    )


@cache
def _missing(table: Table, *, postgres: bool) -> Select[Any]:
    ids = (
        any_(bindparam("ids", type_=ARRAY(BigInteger)))
        if postgres
        else bindparam("ids", expanding=True)
    )
    condition = table.c.id == ids if postgres else table.c.id.in_(ids)
    return select(table.c.id).where(condition).with_for_update(read=True, key_share=True)


async def _clear_reference(
    connection: AsyncConnection, table: Any, column: str, identifier: int, now: datetime
) -> int:
    """Null a reference in every row naming ``identifier``; each is a change (version + 1)."""
    result = await connection.execute(
        update(table)
        .where(table.c[column] == identifier)
        .values({column: None, "version": table.c.version + 1, "updated_at": now})
    )
    return int(result.rowcount)
