"""Rows that travel as one JSON parameter, however many there are.

Every insert and update of aggregates carries its rows as a single JSON array
that the database takes apart (PostgreSQL's ``json_to_recordset``, SQLite's
``json_each``): the statement is built and compiled once per table and
dialect, and its number of parameters does not grow with the rows. Values are
encoded as each column's type binds them on that dialect (SQLite keeps
instants as text); PostgreSQL casts JSON's ISO strings itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    JSON,
    Column,
    Dialect,
    FromClause,
    Insert,
    Select,
    String,
    Table,
    Update,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    update,
)

from infrastructure.persistence import scope

ROWS = "rows"


def given(
    columns: Sequence[Column[Any]], dialect: str, name: str = "given", parameter: str = ROWS
) -> FromClause:
    """The rows of the ``parameter`` (``rows``) as a table whose columns are ``columns``."""
    rows = bindparam(parameter, type_=String)
    if dialect == "postgresql":
        return (
            func.json_to_recordset(cast(rows, JSON))
            .table_valued(*(column(c.name, c.type) for c in columns))
            .render_derived(name=name, with_types=True)
        )
    each = func.json_each(rows).table_valued("value")
    return select(
        *(func.json_extract(each.c.value, f"$.{c.name}").label(c.name) for c in columns)
    ).subquery(name)


def encode(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column[Any]], dialect: Dialect
) -> str:
    """``rows`` as the JSON the ``rows`` parameter takes, on ``dialect``."""
    processors = _bind_processors(tuple(columns), dialect)
    if processors:
        rows = [
            {
                name: (processors[name](value) if name in processors else value)
                for name, value in row.items()
            }
            for row in rows
        ]
    return to_json(rows).decode()


@lru_cache(maxsize=64)
def _bind_processors(columns: tuple[Column[Any], ...], dialect: Dialect) -> dict[str, Any]:
    if dialect.name == "postgresql":
        return {}
    found = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns}
    return {name: processor for name, processor in found.items() if processor is not None}


@cache
def written(table: Table) -> tuple[Column[Any], ...]:
    """The columns an aggregate writes: all but its id and its workspace (the caller's)."""
    return tuple(c for c in scope.data_columns(table) if c.name != "id")


def inserted(table: Table, rows: Select[Any], into: Callable[[Table], Insert] = insert) -> Insert:
    """``into(table)`` (a plain or a dialect's ``INSERT``) of the rows ``rows`` selects (the
    ``written`` columns, in order), each in the workspace bound to ``scope.PARAMETER``."""
    columns = [c.name for c in written(table)]
    if scope.is_scoped(table):
        workspace = bindparam(scope.PARAMETER, type_=table.c[scope.WORKSPACE_ID].type)
        rows = rows.add_columns(workspace)
        columns.append(scope.WORKSPACE_ID)
    return into(table).from_select(columns, rows)


@lru_cache(maxsize=64)
def insert_rows(table: Table, dialect: str) -> Insert:
    """New rows from ``rows``, returning their ids (in the order of the array, once sorted:
    ids come from a sequence or rowid as the rows are inserted)."""
    rows = given(written(table), dialect)
    return inserted(table, select(*rows.c)).returning(table.c.id)


LOADED_VERSION = "loaded_version"


@lru_cache(maxsize=64)
def update_rows(table: Table, dialect: str) -> Update:
    """Rows of ``rows`` (each with its ``id`` and the ``loaded_version`` it was read at)
    written over the stored ones still at that version; returns the ids written."""
    identity = (Column("id", table.c.id.type), Column(LOADED_VERSION, table.c.version.type))
    rows = given((*identity, *written(table)), dialect)
    return (
        update(table)
        .where(scope.of(table), table.c.id == rows.c.id, table.c.version == rows.c[LOADED_VERSION])
        .values({c.name: rows.c[c.name] for c in written(table)})
        .returning(table.c.id)
    )
