"""The baselines, served by the same server software as the service (uvicorn, one worker).

Kept out of the product packages; run as ``python -m bench.baselines --port N``
with ``BENCH_DATABASE_URL`` naming the seeded database.

1. ``GET /bare``: a constant JSON answer, the ceiling of uvicorn + FastAPI here.
2. ``GET /raw/tasks/{id}``: the task and its tags (the same JSON as
   ``GET /api/v1/tasks/{id}``) fetched in one statement through a raw asyncpg pool.
3. ``POST /raw/tasks``: the same body as ``POST /api/v1/tasks`` inserted by hand
   through asyncpg: one transaction, the task, its tags, its links.
4. ``GET /naive/tasks/{id}``: the pattern most tutorials show, SQLModel's own
   FastAPI tutorial: a ``table=True`` class as ``response_model``, a ``Session``
   per request from a dependency, a sync endpoint (run in the thread pool).
   ``GET /naive-async/tasks/{id}`` is its async twin (an ``AsyncSession``
   dependency), which tutorials show less often; the service is held to the
   same ratio against each, and both are reported.

The naive endpoints return the task row without its tags (a table class does
not serialise relationships), so they do less work than the others.

None of them authenticates (that is what the ratios to them measure), and they
connect as ``BENCH_DATABASE_URL``'s user: a superuser by default, which
row-level security does not apply to. They read and write the bench's
workspace (``BENCH_WORKSPACE_ID``, 1 by default), with the workspace condition
the service's statements carry, so that their rows are valid rows of it.

(No ``from __future__ import annotations`` here: FastAPI must resolve the
dependencies declared in annotations inside ``create_app``.)
"""

import argparse
import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

import asyncpg
import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic_core import to_json
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel

PRIORITY_NAMES = {1: "low", 2: "medium", 3: "high"}
PRIORITY_RANKS = {name: rank for rank, name in PRIORITY_NAMES.items()}

_COLUMNS = (
    "t.id, t.title, t.description, t.status, t.priority, t.due_date, t.project_id, "
    "t.assignee_id, t.created_at, t.updated_at, t.completed_at, t.version"
)
GET_TASK = f"""
SELECT {_COLUMNS},
       ARRAY(SELECT g.name FROM task_tag tt JOIN tag g ON g.id = tt.tag_id
             WHERE tt.task_id = t.id ORDER BY g.name) AS tags
FROM task t WHERE t.workspace_id = $1 AND t.id = $2
"""
INSERT_TASK = """
INSERT INTO task (workspace_id, title, description, status, priority, due_date, project_id,
                  assignee_id, created_at, updated_at, completed_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, 1)
RETURNING id, title, description, status, priority, due_date, project_id, assignee_id,
          created_at, updated_at, completed_at, version
"""
INSERT_TAGS = """
INSERT INTO tag (workspace_id, name) SELECT $1, unnest($2::text[])
ON CONFLICT (workspace_id, name) DO NOTHING
"""
INSERT_LINKS = """
INSERT INTO task_tag (workspace_id, task_id, tag_id)
SELECT $1, $2, id FROM tag WHERE workspace_id = $1 AND name = ANY($3)
"""


def database_url() -> str:
    return os.environ["BENCH_DATABASE_URL"]


def workspace_id() -> int:
    return int(os.environ.get("BENCH_WORKSPACE_ID", "1"))


def _task_json(row: Any, tags: list[str]) -> bytes:
    return to_json(
        {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "status": row["status"],
            "priority": PRIORITY_NAMES[row["priority"]],
            "due_date": row["due_date"],
            "project_id": row["project_id"],
            "assignee_id": row["assignee_id"],
            "tags": tags,
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "completed_at": row["completed_at"],
            "version": row["version"],
        }
    )


class NaiveBase(SQLModel, registry=registry()):
    """A registry of the bench's own, so that importing this module next to the
    service's table rows (as the tests do) defines no table twice."""


class NaiveTask(NaiveBase, table=True):
    """The table class, used as is for the answer: the tutorial's ``Hero``."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    description: str | None = None
    status: str
    priority: int
    due_date: date | None = None
    project_id: int | None = None
    assignee_id: int | None = None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    version: int


def create_app() -> FastAPI:
    url = make_url(database_url())
    naive_engine = create_engine(url.set(drivername="postgresql+psycopg2"))
    naive_async_engine = create_async_engine(url.set(drivername="postgresql+asyncpg"))
    workspace = workspace_id()
    state: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database,
            min_size=4,
            max_size=20,
        )
        try:
            yield
        finally:
            await state["pool"].close()
            await naive_async_engine.dispose()
            naive_engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/bare")
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/raw/tasks/{task_id}")
    async def raw_get(task_id: int) -> Response:
        async with state["pool"].acquire() as connection:
            row = await connection.fetchrow(GET_TASK, workspace, task_id)
        if row is None:
            raise HTTPException(404)
        return Response(
            _task_json(row, row["tags"]),
            media_type="application/json",
            headers={"ETag": f'"{row["version"]}"'},
        )

    @app.post("/raw/tasks", status_code=201)
    async def raw_insert(request: Request) -> Response:
        body = json.loads(await request.body())
        if not isinstance(body, dict) or not str(body.get("title", "")).strip():
            raise HTTPException(422)
        tags = sorted({str(t).strip().lower() for t in body.get("tags", ())})
        status = body.get("status", "todo")
        now = datetime.now(UTC)
        due = body.get("due_date")
        async with state["pool"].acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                INSERT_TASK,
                workspace,
                body["title"].strip(),
                body.get("description"),
                status,
                PRIORITY_RANKS[body.get("priority", "medium")],
                date.fromisoformat(due) if due else None,
                body.get("project_id"),
                body.get("assignee_id"),
                now,
                now if status == "done" else None,
            )
            if tags:
                await connection.execute(INSERT_TAGS, workspace, tags)
                await connection.execute(INSERT_LINKS, workspace, row["id"], tags)
        return Response(
            _task_json(row, tags),
            status_code=201,
            media_type="application/json",
            headers={"ETag": '"1"', "Location": f"/raw/tasks/{row['id']}"},
        )

    def get_session() -> Iterator[Session]:
        with Session(naive_engine) as session:
            yield session

    @app.get("/naive/tasks/{task_id}", response_model=NaiveTask)
    def naive_get(task_id: int, session: Annotated[Session, Depends(get_session)]) -> NaiveTask:
        task = session.get(NaiveTask, task_id)
        if task is None:
            raise HTTPException(404)
        return task

    async def get_async_session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(naive_async_engine) as session:
            yield session

    @app.get("/naive-async/tasks/{task_id}", response_model=NaiveTask)
    async def naive_async_get(
        task_id: int, session: Annotated[AsyncSession, Depends(get_async_session)]
    ) -> NaiveTask:
        task = await session.get(NaiveTask, task_id)
        if task is None:
            raise HTTPException(404)
        return task

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The same uvicorn options as `taskhex serve` with one worker.
    uvicorn.run(
        create_app,
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
