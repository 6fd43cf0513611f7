"""Offset and keyset pages over any ordered SELECT, in a fixed number of statements.

A keyset page seeks past the last item seen with a row-value comparison on
the sort columns, ``(key, id) > (:key, :id)``, which an index on the same
columns answers without reading the rows before it: its cost does not grow
with depth.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from application.pagination import PageRequest


def seek(
    columns: Sequence[Any], values: Sequence[object], *, descending: bool
) -> ColumnElement[bool]:
    """The rows after ``values`` in the order of ``columns`` (all in one direction).

    A value may be a bound parameter, to be given when the statement runs.
    """
    past = operator.lt if descending else operator.gt
    bound = [
        v if isinstance(v, BindParameter) else literal(v, c.type)
        for c, v in zip(columns, values, strict=True)
    ]
    if len(columns) == 1:
        single: ColumnElement[bool] = past(columns[0], bound[0])
        return single
    compared: ColumnElement[bool] = past(tuple_(*columns), tuple_(*bound))
    return compared


async def fetch_page(
    connection: AsyncConnection,
    ordered: Select[Any],
    page: PageRequest,
    seek_past: ColumnElement[bool] | None,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[Sequence[Any], int | None, bool]:
    """Rows of one page, the total (offset mode only) and whether more rows follow.

    ``ordered`` is the filtered, ordered statement; ``seek_past`` the condition
    for the rows after ``page.after`` (``None`` in offset mode); ``parameters``
    the values of the parameters they bind.
    """
    total: int | None = None
    if seek_past is None:
        rows_statement = ordered.offset(page.offset)
        counted = select(func.count()).select_from(ordered.order_by(None).subquery())
        total = int(await connection.scalar(counted, parameters) or 0)
    else:
        rows_statement = ordered.where(seek_past)
    rows = (await connection.execute(rows_statement.limit(page.limit + 1), parameters)).all()
    return rows[: page.limit], total, len(rows) > page.limit
