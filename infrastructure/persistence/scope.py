"""Every row belongs to one workspace, and every statement runs in the caller's.

The rule is written here once: ``column()`` is the column each scoped table
carries, ``of(table)`` the condition each statement on such a table adds, and
``InWorkspace`` / ``parameters()`` bind it from the caller where a unit of work
or a read begins. PostgreSQL enforces the same rule a second time with
row-level security (``isolation``), so a statement that forgot ``of`` would
still find no foreign row there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Final

from sqlalchemy import BigInteger, Column, ColumnElement, Executable, ForeignKey, Table, bindparam
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from application import callers
from infrastructure.persistence.types import BigId

WORKSPACE_ID: Final = "workspace_id"
PARAMETER: Final = "in_workspace"
"""The parameter every scoped statement binds (not a column's name, which an UPDATE
would reserve)."""


def column(*, primary_key: bool = False) -> Column[int]:
    """The workspace of a row: set when it is written, never changed."""
    return Column(
        WORKSPACE_ID,
        BigId,
        ForeignKey("workspace.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def of(table: Any) -> ColumnElement[bool]:
    """``table``'s rows in the workspace bound to ``PARAMETER``."""
    condition: ColumnElement[bool] = table.c[WORKSPACE_ID] == bindparam(PARAMETER, type_=BigInteger)
    return condition


def is_scoped(table: Table) -> bool:
    return WORKSPACE_ID in table.c


@cache
def data_columns(table: Table) -> tuple[Column[Any], ...]:
    """The columns of ``table`` that its rows map to: all but the workspace, which the
    caller implies, and those the database computes."""
    return tuple(c for c in table.columns if c.name != WORKSPACE_ID and c.computed is None)


def parameters() -> dict[str, int]:
    """The parameter ``of`` binds, for the caller of the request being served."""
    return {PARAMETER: callers.current().workspace_id}


Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class InWorkspace:
    """A unit of work's connection whose every statement is bound to one workspace."""

    def __init__(self, connection: AsyncConnection, workspace_id: int) -> None:
        self.connection = connection
        self.workspace_id = workspace_id
        self._bound = {PARAMETER: workspace_id}

    @property
    def dialect(self) -> Dialect:
        return self.connection.dialect

    def _bind(self, parameters: Parameters) -> Any:
        if parameters is None:
            return self._bound
        if isinstance(parameters, Mapping):
            return {**parameters, **self._bound}
        return [{**p, **self._bound} for p in parameters]

    async def execute(
        self, statement: Executable, parameters: Parameters = None
    ) -> CursorResult[Any]:
        return await self.connection.execute(statement, self._bind(parameters))

    async def scalar(self, statement: Executable, parameters: Parameters = None) -> Any:
        return await self.connection.scalar(statement, self._bind(parameters))

    async def scalars(self, statement: Executable, parameters: Parameters = None) -> Any:
        return await self.connection.scalars(statement, self._bind(parameters))
