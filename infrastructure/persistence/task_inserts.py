"""New tasks written with SQL built once: the hot path of task creation.

Every statement is built at import, so SQLAlchemy compiles it once, and each
carries its rows in a fixed number of parameters however many there are:
PostgreSQL takes them apart with ``unnest`` and ``json_to_recordset``, SQLite
with ``json_each``. No ORM row is built on the way.

Three statements whatever the number of tasks: the tasks, their tags
(``ON CONFLICT DO NOTHING``), their links (joined to the tags by name); a
single task on PostgreSQL takes two, its tags created with it. The links are
a statement of their own so that they see, in a fresh snapshot, the tags a
concurrent transaction committed while the tag insert waited for it.

A single task is inserted only if its project and assignee exist; on
PostgreSQL the check locks them ``FOR KEY SHARE``, the lock the foreign key
takes itself: writers naming the same project don't wait for each other, and
deleting the project waits for the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from pydantic_core import to_json
from sqlalchemy import BigInteger, bindparam, exists, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.tasks import Task
from infrastructure.persistence import mappers
from infrastructure.persistence.models import metadata

_task = metadata.tables["task"]
_project = metadata.tables["project"]
_user = metadata.tables["app_user"]

COLUMNS: Final = tuple(c.name for c in _task.columns if c.name != "id")
_PG_TYPES: Final = {
    "title": "VARCHAR",
    "description": "VARCHAR",
    "status": "VARCHAR",
    "priority": "SMALLINT",
    "due_date": "DATE",
    "project_id": "BIGINT",
    "assignee_id": "BIGINT",
    "created_at": "TIMESTAMPTZ",
    "updated_at": "TIMESTAMPTZ",
    "completed_at": "TIMESTAMPTZ",
    "version": "INTEGER",
}
if set(_PG_TYPES) != set(COLUMNS):
    raise RuntimeError("every column of task needs its PostgreSQL type here")

_COLUMN_LIST: Final = ", ".join(COLUMNS)


def _referenced(lock: str, project_id: str, assignee_id: str) -> str:
    """The condition that the project and the assignee are null or exist."""
    return " AND ".join(
        f"({param} IS NULL OR EXISTS (SELECT 1 FROM {table} WHERE id = {param}{lock}))"
        for table, param in (("project", project_id), ("app_user", assignee_id))
    )


_PG_REFERENCED: Final = _referenced(
    " FOR KEY SHARE", "CAST(:project_id AS BIGINT)", "CAST(:assignee_id AS BIGINT)"
)
_PG_ADD_SQL: Final = (
    f"INSERT INTO task ({_COLUMN_LIST})"
    f" SELECT {', '.join(f'CAST(:{c} AS {_PG_TYPES[c]})' for c in COLUMNS)}"
    f" WHERE {_PG_REFERENCED} RETURNING id"
)
_PG_ADD: Final = text(_PG_ADD_SQL)
# A task with tags creates the missing ones in the same statement (none if the
# task was not inserted); its links follow in a statement of their own
# (_PG_LINK_ONE), whose fresh snapshot sees the tags a concurrent transaction
# committed while this one waited for it.
_PG_ADD_TAGGED: Final = text(
    f"WITH task_row AS ({_PG_ADD_SQL}), new_tag AS ("
    " INSERT INTO tag (name) SELECT unnest(CAST(:tags AS VARCHAR[]))"
    " WHERE EXISTS (SELECT FROM task_row) ON CONFLICT (name) DO NOTHING)"
    " SELECT id FROM task_row"
)
_PG_LINK_ONE: Final = text(
    "INSERT INTO task_tag (task_id, tag_id) SELECT CAST(:task_id AS BIGINT), id FROM tag"
    " WHERE name = ANY(CAST(:tags AS VARCHAR[]))"
)
# SQLite has one writer at a time: nothing to lock.
_SQLITE_ADD: Final = text(
    f"INSERT INTO task ({_COLUMN_LIST}) SELECT {', '.join(':' + c for c in COLUMNS)}"
    f" WHERE {_referenced('', ':project_id', ':assignee_id')}"
    " RETURNING id"
).bindparams(*(bindparam(c, type_=_task.c[c].type) for c in COLUMNS))

# Ids come from a sequence in the order the rows are inserted, which is the
# order of the JSON array: sorting them restores it, whatever RETURNING does.
_PG_ADD_MANY: Final = text(
    f"INSERT INTO task ({_COLUMN_LIST})"
    f" SELECT {_COLUMN_LIST} FROM json_to_recordset(CAST(:rows AS JSON))"
    f" AS given ({', '.join(f'{c} {_PG_TYPES[c]}' for c in COLUMNS)})"
    " RETURNING id"
)

_PG_TAGS: Final = text(
    "INSERT INTO tag (name) SELECT unnest(CAST(:names AS VARCHAR[])) ON CONFLICT (name) DO NOTHING"
)
_SQLITE_TAGS: Final = text(
    "INSERT INTO tag (name) SELECT value FROM json_each(:names) WHERE true"
    " ON CONFLICT (name) DO NOTHING"
)
# Links are ``[task id, tag name]`` pairs.
_PG_LINKS: Final = text(
    "INSERT INTO task_tag (task_id, tag_id) SELECT CAST(given.link ->> 0 AS BIGINT), tag.id"
    " FROM json_array_elements(CAST(:links AS JSON)) AS given (link)"
    " JOIN tag ON tag.name = given.link ->> 1"
)
_SQLITE_LINKS: Final = text(
    "INSERT INTO task_tag (task_id, tag_id) SELECT json_extract(given.value, '$[0]'), tag.id"
    " FROM json_each(:links) AS given JOIN tag ON tag.name = json_extract(given.value, '$[1]')"
)

# Bound parameters a statement stay under every driver's limit (32767): a task
# row has at most 12.
_ROWS_PER_STATEMENT: Final = 1000

_MISSING: Final = select(
    exists().where(_project.c.id == bindparam("project_id", type_=BigInteger)),
    exists().where(_user.c.id == bindparam("assignee_id", type_=BigInteger)),
)


async def add(connection: AsyncConnection, task: Task) -> int | None:
    """Insert ``task`` with its tag links; its id, or ``None`` if a reference is missing."""
    columns = mappers.task_columns(task)
    if connection.dialect.name != "postgresql":
        identifier: int | None = (await connection.execute(_SQLITE_ADD, columns)).scalar()
        if identifier is not None:
            await _tag(connection, task.tags, [(identifier, name) for name in task.tags])
        return identifier
    if not task.tags:
        return (await connection.execute(_PG_ADD, columns)).scalar()
    tags = list(task.tags)
    identifier = (await connection.execute(_PG_ADD_TAGGED, {**columns, "tags": tags})).scalar()
    if identifier is not None:
        await connection.execute(_PG_LINK_ONE, {"task_id": identifier, "tags": tags})
    return identifier


async def add_many(connection: AsyncConnection, tasks: Sequence[Task]) -> list[int]:
    """Insert ``tasks`` with their tag links; their ids, in order."""
    rows = [mappers.task_columns(task) for task in tasks]
    if connection.dialect.name == "postgresql":
        given = {"rows": to_json(rows).decode()}
        ids = sorted((await connection.execute(_PG_ADD_MANY, given)).scalars())
    else:
        # SQLite gives rowids in the order of VALUES (one writer at a time).
        ids = []
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            statement = insert(_task).values(chunk).returning(_task.c.id)
            ids += sorted((await connection.execute(statement)).scalars())
    names = sorted({name for task in tasks for name in task.tags})
    links = [(i, name) for task, i in zip(tasks, ids, strict=True) for name in task.tags]
    await _tag(connection, names, links)
    return ids


async def missing_references(connection: AsyncConnection, task: Task) -> dict[str, str]:
    """The references of ``task`` that name no row, by field (for ``InvalidReference``)."""
    given = {"project_id": task.project_id, "assignee_id": task.assignee_id}
    project, assignee = (await connection.execute(_MISSING, given)).one()
    named = (
        ("project_id", "project", task.project_id, project),
        ("assignee_id", "user", task.assignee_id, assignee),
    )
    return {field: kind for field, kind, value, found in named if value is not None and not found}


async def _tag(
    connection: AsyncConnection, names: Sequence[str], links: list[tuple[int, str]]
) -> None:
    """Create the tags of ``names`` that are missing, then the ``(task id, tag name)`` links."""
    if not names:
        return
    links_json = to_json(links).decode()
    if connection.dialect.name == "postgresql":
        await connection.execute(_PG_TAGS, {"names": list(names)})
        await connection.execute(_PG_LINKS, {"links": links_json})
    else:
        await connection.execute(_SQLITE_TAGS, {"names": json.dumps(list(names))})
        await connection.execute(_SQLITE_LINKS, {"links": links_json})
