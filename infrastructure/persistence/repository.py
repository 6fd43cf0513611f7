"""What every SQL repository does with its aggregates, on the unit of work's connection.

Rows go in and out as one JSON parameter (``json_rows``), so that one
statement writes one aggregate or a thousand. A save is conditioned on the
version the aggregate was loaded at (``ConcurrentUpdate`` when the stored one
moved on): a lost update is impossible. A broken uniqueness rule is a
``Conflict``. Repositories never commit: the unit of work does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, Table, bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from application.errors import ConcurrentUpdate, Conflict
from domain.aggregates import Versioned
from infrastructure.persistence import json_rows, scope
from infrastructure.persistence.scope import InWorkspace

A = TypeVar("A", bound=Versioned)


def is_unique_violation(error: IntegrityError) -> bool:
    original = error.orig
    return (
        getattr(original, "sqlstate", None) == "23505"  # PostgreSQL unique_violation
        or getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"
    )


class SqlRepository(Generic[A]):
    table: ClassVar[Table]
    resource: ClassVar[str]
    conflict: ClassVar[str]
    aggregate: ClassVar[type[Versioned]]

    def __init__(self, connection: InWorkspace) -> None:
        self._connection = connection
        self._dialect = connection.dialect
        # The stored version of every aggregate this repository handed out or wrote.
        self._versions: dict[int, int] = {}

    # -- the mapping; by default, the columns are the aggregate's fields by name

    def _selected(self) -> Sequence[Any]:
        return scope.data_columns(self.table)

    def _aggregate_of(self, row: Any) -> A:
        return self.aggregate(**row._mapping)  # type: ignore[return-value]

    def _columns_of(self, aggregate: A) -> dict[str, Any]:
        return {c.name: getattr(aggregate, c.name) for c in json_rows.written(self.table)}

    # -- the port

    async def get(self, identifier: int, *, for_update: bool = False) -> A | None:
        found = await self._load(self.table.c.id == bindparam("id"), {"id": identifier}, for_update)
        return found[0] if found else None

    async def add(self, aggregate: A) -> A:
        return (await self.add_many([aggregate]))[0]

    async def add_many(self, aggregates: list[A]) -> list[A]:
        if not aggregates:
            return []
        ids = await self._insert(aggregates)
        return [self._stored(a, i) for a, i in zip(aggregates, ids, strict=True)]

    async def save(self, aggregate: A) -> None:
        await self.save_many([aggregate])

    async def save_many(self, aggregates: list[A]) -> None:
        if not aggregates:
            return
        rows = []
        for aggregate in aggregates:
            identifier = aggregate.id
            assert identifier in self._versions, "save() is for aggregates loaded through here"
            if aggregate.version != self._versions[identifier] + 1:
                # A save is one change: the version it was loaded at, plus one.
                raise ConcurrentUpdate(self.resource, identifier)
            loaded = {"id": identifier, json_rows.LOADED_VERSION: self._versions[identifier]}
            rows.append({**self._columns_of(aggregate), **loaded})
        written = await self._write(json_rows.update_rows(self.table, self._dialect.name), rows)
        if len(written) != len(rows):
            raise ConcurrentUpdate(self.resource, None if len(rows) > 1 else aggregates[0].id)
        for aggregate in aggregates:
            self._versions[aggregate.id] = aggregate.version  # type: ignore[index]

    async def delete(self, identifier: int) -> bool:
        table = self.table
        result = await self._connection.execute(
            delete(table).where(scope.of(table), table.c.id == identifier)
        )
        return bool(result.rowcount)

    async def exists(self, identifier: int) -> bool:
        found = await self._connection.scalar(_exists(self.table), {"id": identifier})
        return found is not None

    async def missing(self, identifiers: set[int]) -> set[int]:
        found = await self._connection.scalars(_missing(self.table), {"ids": list(identifiers)})
        return identifiers - set(found)

    # -- the statements

    async def _load(
        self, condition: ColumnElement[bool], parameters: Mapping[str, Any], for_update: bool
    ) -> list[A]:
        statement: Select[Any] = (
            select(*self._selected())
            .where(scope.of(self.table), condition)
            .order_by(self.table.c.id)
        )
        if for_update:
            statement = statement.with_for_update(of=self.table)
        rows = (await self._connection.execute(statement, parameters)).all()
        loaded = [self._aggregate_of(row) for row in rows]
        self._versions.update((a.id, a.version) for a in loaded)  # type: ignore[misc]
        return loaded

    def _insert_statement(self) -> Any:
        return json_rows.insert_rows(self.table, self._dialect.name)

    async def _insert(self, aggregates: Sequence[A]) -> list[int]:
        rows = [self._columns_of(a) for a in aggregates]
        return sorted(row[0] for row in await self._write(self._insert_statement(), rows))

    async def _write(
        self, statement: Any, rows: Sequence[Mapping[str, Any]], **more: str
    ) -> Sequence[Any]:
        """Run ``statement`` on ``rows`` (and the parameters ``more``); the rows it returned,
        each led by an id."""
        table = self.table
        columns = (table.c.id, table.c.version, *json_rows.written(table))
        encoded = json_rows.encode(rows, columns, self._dialect)
        with self._conflicts():
            result = await self._connection.execute(statement, {json_rows.ROWS: encoded, **more})
        return result.all()

    @contextlib.contextmanager
    def _conflicts(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError as error:
            if is_unique_violation(error):
                raise Conflict(self.conflict) from error
            raise

    def _stored(self, aggregate: A, identifier: int) -> A:
        """A copy of ``aggregate`` with its id, remembered as stored at its version."""
        stored = object.__new__(type(aggregate))
        stored.__dict__.update(aggregate.__dict__, id=identifier)
        self._versions[identifier] = aggregate.version
        return stored


@cache
def _exists(table: Table) -> Select[Any]:
    """``FOR KEY SHARE``: the lock a foreign key takes, which concurrent writers share."""
    return (
        select(table.c.id)
        .where(scope.of(table), table.c.id == bindparam("id"))
        .with_for_update(read=True, key_share=True)
    )


@cache
def _missing(table: Table) -> Select[Any]:
    return (
        select(table.c.id)
        .where(scope.of(table), table.c.id.in_(bindparam("ids", expanding=True)))
        .with_for_update(read=True, key_share=True)
    )
