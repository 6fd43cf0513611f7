"""Offset and keyset pages over any ordered SELECT, in a fixed number of statements.

A keyset page seeks past the last item seen with a row-value comparison on
the sort columns, ``(key, id) > (:after_0, :after_1)``, which an index on the
same columns answers without reading the rows before it: its cost does not
grow with depth. Page statements bind ``limit`` and ``offset`` or the
position ``after_0..n``, so one statement serves every request of its kind.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, Table, bindparam, func, select, tuple_

from application.pagination import NameSort, NameSortKey, PageRequest
from infrastructure.persistence import scope
from infrastructure.persistence.reads import Query, Run


def seek(columns: Sequence[Any], values: Sequence[Any], *, descending: bool) -> ColumnElement[bool]:
    """The rows after ``values`` in the order of ``columns`` (all in one direction)."""
    past = operator.lt if descending else operator.gt
    if len(columns) == 1:
        single: ColumnElement[bool] = past(columns[0], values[0])
        return single
    compared: ColumnElement[bool] = past(tuple_(*columns), tuple_(*values))
    return compared


def order(columns: Sequence[Any], *, descending: bool) -> list[Any]:
    return [c.desc() if descending else c.asc() for c in columns]


def paged(
    statement: Select[Any], columns: Sequence[Any], *, descending: bool, seeking: bool
) -> tuple[Select[Any], Select[Any] | None]:
    """``statement`` (filtered, not ordered) as one page in the order of ``columns``, and the
    count of all its rows in offset mode (``None`` when seeking)."""
    ordered = statement.order_by(*order(columns, descending=descending))
    limit = bindparam("limit", type_=BigInteger)
    if seeking:
        after = [bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(columns)]
        return ordered.where(seek(columns, after, descending=descending)).limit(limit), None
    counted = select(func.count()).select_from(statement.subquery())
    return ordered.offset(bindparam("offset", type_=BigInteger)).limit(limit), counted


def parameters_of(page: PageRequest, position: Sequence[object] | None = None) -> dict[str, Any]:
    """The paging parameters of ``paged``: one row more than asked, to tell if more follow."""
    found: dict[str, Any] = {"limit": page.limit + 1}
    if position is None:
        found["offset"] = page.offset
    else:
        found.update((f"after_{i}", value) for i, value in enumerate(position))
    return found


async def read_page(
    run: Run,
    rows: Query,
    count: Query | None,
    parameters: Mapping[str, Any],
    page: PageRequest,
) -> tuple[Sequence[Any], int | None, bool]:
    """The rows of one page, the total (offset mode only) and whether more rows follow."""
    total = None if count is None else int((await run(count, parameters))[0][0])
    found = await run(rows, parameters)
    return found[: page.limit], total, len(found) > page.limit


@lru_cache(maxsize=16)
def by_name(table: Table, sort: NameSort, seeking: bool) -> tuple[Query, Query | None]:
    """A page of users or projects by name or age, ties by id (and the count, offset mode)."""
    key = table.c.name if sort.key is NameSortKey.NAME else table.c.created_at
    rows, counted = paged(
        select(*scope.data_columns(table)).where(scope.of(table)),
        [key, table.c.id],
        descending=sort.descending,
        seeking=seeking,
    )
    return Query(rows), None if counted is None else Query(counted)


async def read_named_page(
    run: Run, table: Table, sort: NameSort, page: PageRequest
) -> tuple[Sequence[Any], int | None, bool]:
    rows, count = by_name(table, sort, page.after is not None)
    return await read_page(run, rows, count, parameters_of(page, page.after), page)
