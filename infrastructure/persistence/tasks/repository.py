"""Tasks in and out of a unit of work: one insert strategy for one task or a thousand.

A task is inserted only if its project and assignee exist (checked in the
insert itself, locking them ``FOR KEY SHARE``, the lock their foreign key
takes: writers naming the same project don't wait for each other, deleting
it waits for them). Its tags follow in two statements (``_tag``): the missing
tags (``ON CONFLICT DO NOTHING``), then the links, whose fresh snapshot sees
the tags a concurrent transaction committed while the first one waited for
it. On PostgreSQL the insert makes the tags and links itself, in the same
statement (``_insert_tagged``), and ``_tag`` links only what it could not.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Insert,
    Select,
    String,
    Table,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import FromClause

from application.errors import ConcurrentUpdate, InvalidReference
from application.ports import TaskRepository
from domain.tasks import Task
from infrastructure.persistence import json_rows, scope
from infrastructure.persistence.repository import SqlRepository
from infrastructure.persistence.tasks import statements
from infrastructure.persistence.tasks.table import columns_of, tag, task, task_of, task_tag

_NAME = Column("name", String)
_LINK = (Column("task_id", BigInteger), _NAME)
_POSITION = Column("position", BigInteger)
_LINKS = "links"


class SqlTaskRepository(SqlRepository[Task], TaskRepository):
    table = task
    resource = "task"
    conflict = "the task conflicts with another"  # a task has no unique column

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._tags: dict[int, tuple[str, ...]] = {}

    def _selected(self) -> Sequence[Any]:
        return statements.selected(task)

    def _aggregate_of(self, row: Any) -> Task:
        loaded = task_of(row)
        self._tags[loaded.id] = loaded.tags  # type: ignore[index]
        return loaded

    def _columns_of(self, aggregate: Task) -> dict[str, Any]:
        return columns_of(aggregate)

    async def add_many(self, aggregates: list[Task]) -> list[Task]:
        """Their references checked in the same statement: a missing one is ``InvalidReference``
        (the unit of work then keeps nothing of the batch)."""
        if not aggregates:
            return []
        while len(ids := await self._insert(aggregates)) != len(aggregates):
            missing: dict[str, str] = {}
            for named in {(t.project_id, t.assignee_id) for t in aggregates}:
                missing |= await self._missing_references(*named)
            if missing:
                raise InvalidReference(missing)
            if ids:  # part of the batch went in: it must not go in twice
                raise ConcurrentUpdate("task")
            # Nothing went in for a reference that appeared since: try again.
        return [self._stored(t, i) for t, i in zip(aggregates, ids, strict=True)]

    async def save_many(self, aggregates: list[Task]) -> None:
        await super().save_many(aggregates)
        retagged = [t for t in aggregates if t.tags != self._tags.get(t.id)]  # type: ignore[arg-type]
        if retagged:
            await self._connection.execute(
                delete(task_tag).where(
                    scope.of(task_tag), task_tag.c.task_id.in_([t.id for t in retagged])
                )
            )
            await self._tag([(t.id, t.tags) for t in retagged])  # type: ignore[misc]
            self._tags.update((t.id, t.tags) for t in retagged)  # type: ignore[misc]

    async def get_many(self, task_ids: set[int], *, for_update: bool = False) -> list[Task]:
        return await self._load(
            task.c.id.in_(bindparam("ids", expanding=True)), {"ids": list(task_ids)}, for_update
        )

    async def assigned_to(self, user_id: int) -> list[Task]:
        return await self._load(task.c.assignee_id == bindparam("user"), {"user": user_id}, True)

    async def delete_many(self, task_ids: set[int]) -> int:
        result = await self._connection.execute(
            delete(task).where(scope.of(task), task.c.id.in_(task_ids))
        )
        return int(result.rowcount)

    async def delete_all_in(self, project_id: int) -> int:
        result = await self._connection.execute(
            delete(task).where(scope.of(task), task.c.project_id == project_id)
        )
        return int(result.rowcount)

    def _insert_statement(self) -> Insert:
        return _insert_referenced(self._dialect.name)

    async def _insert(self, aggregates: Sequence[Task]) -> list[int]:
        """The new ids, in order; the tasks are tagged once every one of them went in."""
        links = [{"position": i, "name": n} for i, t in enumerate(aggregates) for n in t.tags]
        if links and self._dialect.name == "postgresql":
            rows = await self._write(
                _insert_tagged(),
                [self._columns_of(t) for t in aggregates],
                **{_LINKS: json_rows.encode(links, (), self._dialect)},
            )
            ids, linked = [row.id for row in rows], (rows[0].linked if rows else 0)
        else:
            ids, linked = await super()._insert(aggregates), 0
        if linked < len(links) and len(ids) == len(aggregates):
            await self._tag(list(zip(ids, (t.tags for t in aggregates), strict=True)))
        return ids

    def _stored(self, aggregate: Task, identifier: int) -> Task:
        self._tags[identifier] = aggregate.tags
        return super()._stored(aggregate, identifier)

    async def _tag(self, tasks: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Create the missing tags of ``tasks`` (ids and their tags), then link each task to
        its tags (those it is not linked to yet)."""
        names = sorted({name for _, tags in tasks for name in tags})
        if not names:
            return
        dialect = self._dialect.name
        await self._connection.execute(
            _insert_tags(dialect),
            {json_rows.ROWS: json_rows.encode([{"name": n} for n in names], (), self._dialect)},
        )
        links = [{"task_id": task_id, "name": name} for task_id, tags in tasks for name in tags]
        await self._connection.execute(
            _insert_links(dialect), {json_rows.ROWS: json_rows.encode(links, (), self._dialect)}
        )

    async def _missing_references(
        self, project_id: int | None, assignee_id: int | None
    ) -> dict[str, str]:
        given = {"project_id": project_id, "assignee_id": assignee_id}
        found = (await self._connection.execute(_found(), given)).one()
        found_project, found_user = tuple(found)
        named = (
            ("project_id", "project", project_id, found_project),
            ("assignee_id", "user", assignee_id, found_user),
        )
        return {
            field: kind for field, kind, value, found in named if value is not None and not found
        }


def _referenced(rows: FromClause) -> Any:
    """The project and the assignee of a given row are null or exist (locked ``FOR KEY SHARE``)."""
    return [
        or_(
            rows.c[field].is_(None),
            exists(
                select(table.c.id)
                .where(scope.of(table), table.c.id == rows.c[field])
                .with_for_update(read=True, key_share=True)
            ),
        )
        for field in _REFERENCES
        for table in (_referenced_table(field),)
    ]


@lru_cache(maxsize=4)
def _insert_referenced(dialect: str) -> Insert:
    rows = json_rows.given(json_rows.written(task), dialect)
    return json_rows.inserted(task, select(*rows.c).where(*_referenced(rows))).returning(task.c.id)


@lru_cache(maxsize=4)
def _insert_tags(dialect: str) -> Insert:
    names = json_rows.given((_NAME,), dialect)
    # SQLite parses INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE.
    return _inserted_unless_there(
        tag, select(names.c.name).where(names.c.name.is_not(None)), dialect
    )


@lru_cache(maxsize=4)
def _insert_links(dialect: str) -> Insert:
    """The links of ``rows`` not made yet."""
    links = json_rows.given(_LINK, dialect)
    named = select(links.c.task_id, tag.c.id).join(tag, tag.c.name == links.c.name)
    return _inserted_unless_there(task_tag, named.where(scope.of(tag)), dialect)


@lru_cache(maxsize=1)
def _insert_tagged() -> Select[Any]:
    """PostgreSQL: ``_insert_referenced``, the missing tags and the links in one statement,
    two round trips fewer than ``_tag`` after it. ``links`` names each link's task by its
    position in ``rows``, the new ids being in the rows' order (as ``_insert`` expects).

    A link's tag is one this statement made or one its snapshot shows; a tag that a
    concurrent transaction committed while this one waited for it is neither, and the
    count of links made (``linked``) tells the caller that some are left to ``_tag``.
    """
    new_task = _insert_referenced("postgresql").cte("new_task")
    position = func.row_number().over(order_by=new_task.c.id) - 1
    numbered = select(new_task.c.id, position.label("position")).cte("numbered")
    given = json_rows.given((_POSITION, _NAME), "postgresql", "given_link", parameter=_LINKS)
    link = select(*given.c).cte("link")
    # Tags only for a batch that went in whole (else it fails, and leaves nothing).
    went_in = select(func.count()).select_from(new_task).scalar_subquery()
    rows = func.json_array_length(cast(bindparam(json_rows.ROWS, type_=String), JSON))
    names = select(link.c.name).where(went_in == rows).group_by(link.c.name)
    new_tag = (
        _inserted_unless_there(tag, names.order_by(link.c.name), "postgresql")  # lock order
        .returning(tag.c.id, tag.c.name)
        .cte("new_tag")
    )
    named = union_all(
        select(new_tag.c.id, new_tag.c.name),
        select(tag.c.id, tag.c.name).where(scope.of(tag), tag.c.name.in_(select(link.c.name))),
    ).cte("named")
    linking = (
        select(numbered.c.id, named.c.id)
        .select_from(link)
        .join(numbered, numbered.c.position == link.c.position)
        .join(named, named.c.name == link.c.name)
    )
    new_link = json_rows.inserted(task_tag, linking).returning(task_tag.c.tag_id).cte("new_link")
    linked = select(func.count()).select_from(new_link).scalar_subquery()
    return select(numbered.c.id, linked.label("linked")).order_by(numbered.c.id)


def _inserted_unless_there(table: Table, rows: Select[Any], dialect: str) -> Insert:
    """``json_rows.inserted``, leaving out the rows that a unique index already holds."""
    into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = json_rows.inserted(table, rows, into)
    assert isinstance(statement, postgresql.Insert | sqlite.Insert)
    return statement.on_conflict_do_nothing()


def _referenced_table(field: str) -> Table:
    """The table a foreign key of the task names (its own definition says which)."""
    (key,) = task.c[field].foreign_keys
    table = key.column.table
    assert isinstance(table, Table)
    return table


_REFERENCES = ("project_id", "assignee_id")


@lru_cache(maxsize=1)
def _found() -> Select[bool, bool]:
    project, user = (_referenced_table(field) for field in _REFERENCES)
    return select(
        exists().where(
            scope.of(project), project.c.id == bindparam("project_id", type_=BigInteger)
        ),
        exists().where(scope.of(user), user.c.id == bindparam("assignee_id", type_=BigInteger)),
    )
