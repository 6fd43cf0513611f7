"""The bench's own database: created, migrated, seeded fast in SQL, dropped.

The seed does not go through the service (nor ``taskhex seed``): a few
``INSERT ... SELECT generate_series`` statements fill 100k+ tasks in seconds,
every row in the ``default`` workspace that migration 0006 creates. The service
is then called with an admin API key of that workspace (``create_key``),
stored as the service stores one: the keyed hash of its secret.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL, make_url

from infrastructure.auth.api_keys import new_secret
from infrastructure.persistence.workspaces import isolation

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/taskhex_bench"
# Only a database with this prefix is ever dropped: a URL pointing elsewhere by
# mistake cannot cost anyone their data.
OWN_PREFIX = "taskhex_bench"


@dataclass(frozen=True)
class Seeded:
    users: int
    projects: int
    tags: int
    tasks: int
    links: int
    seconds: float


def _connect(url: URL) -> psycopg2.extensions.connection:
    connection = psycopg2.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
    )
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def own_database(url_text: str) -> Iterator[str]:
    """Create the database ``url_text`` names (a leftover of ours is dropped first)."""
    url = make_url(url_text)
    name = url.database or ""
    if not name.startswith(OWN_PREFIX):
        raise SystemExit(f"the bench database must be named {OWN_PREFIX}*, not {name!r}")
    admin_url = url.set(database="postgres")
    with contextlib.closing(_connect(admin_url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with contextlib.closing(_connect(admin_url)) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    """``taskhex db upgrade``, the product's own command."""
    taskhex = Path(sys.executable).with_name("taskhex")
    env = service_env(url, LOG_LEVEL="WARNING")
    subprocess.run([str(taskhex), "db", "upgrade"], check=True, env=env, capture_output=True)


def service_env(url: str, **settings: str) -> dict[str, str]:
    """This environment, with the service's database settings pointing at ``url`` only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_"))}
    return {**env, "DATABASE_URL": url, **settings}


DEFAULT_WORKSPACE = "default"

# Every row names its workspace: the service sees it through row-level security
# (the bench connects as the URL's user, a superuser by default, which bypasses it).
SEED = """
INSERT INTO app_user (workspace_id, email, name, created_at, updated_at, version)
SELECT %(workspace)s, 'user' || i || '@bench.example', 'User ' || i, now() - interval '400 days',
       now() - interval '400 days', 1
FROM generate_series(1, %(users)s) AS i;

INSERT INTO project (workspace_id, name, description, owner_id, created_at, updated_at, version)
SELECT %(workspace)s, 'Project ' || i, 'Seeded for the benchmark', 1 + i %% %(users)s,
       now() - interval '300 days', now() - interval '300 days', 1
FROM generate_series(1, %(projects)s) AS i;

INSERT INTO tag (workspace_id, name)
SELECT %(workspace)s, 'tag-' || lpad(i::text, 2, '0') FROM generate_series(0, %(tags)s - 1) AS i
ON CONFLICT (workspace_id, name) DO NOTHING;

-- Statuses, priorities, due dates, projects and assignees vary; created_at is
-- distinct for each task, oldest first, all in the past.
INSERT INTO task (workspace_id, title, description, status, priority, due_date, project_id,
                  assignee_id, created_at, updated_at, completed_at, version)
SELECT %(workspace)s, 'Task ' || i || ' of the benchmark',
       CASE WHEN i %% 3 = 0 THEN 'The description of task ' || i END,
       (ARRAY['todo', 'in_progress', 'done'])[1 + i %% 3],
       1 + (i * 7) %% 3,
       CASE WHEN i %% 4 <> 0 THEN date '2026-01-01' + (i %% 730) END,
       CASE WHEN i %% 10 <> 0 THEN 1 + i %% %(projects)s END,
       CASE WHEN i %% 7 <> 0 THEN 1 + (i * 13) %% %(users)s END,
       at, at, CASE WHEN i %% 3 = 2 THEN at END, 1
FROM generate_series(1, %(tasks)s) AS i,
     LATERAL (SELECT now() - interval '1 day' - (%(tasks)s - i) * interval '1 minute' AS at) AS t;

-- 0 to 4 distinct tags a task (2 on average).
INSERT INTO task_tag (workspace_id, task_id, tag_id)
SELECT %(workspace)s, t.id, 1 + (t.id + j * 7) %% %(tags)s
FROM task AS t, generate_series(0, 3) AS j
WHERE j < t.id %% 5;
"""


def default_workspace(url: str) -> int:
    """The id of the workspace migration 0006 makes (``default``; 1 in a new database)."""
    with contextlib.closing(_connect(make_url(url))) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM workspace WHERE name = %s", (DEFAULT_WORKSPACE,))
        row = cursor.fetchone()
    if row is None:
        raise SystemExit(f"no {DEFAULT_WORKSPACE!r} workspace after taskhex db upgrade")
    return int(row[0])


def seed(
    url: str,
    *,
    tasks: int,
    workspace: int = 1,
    users: int = 1000,
    projects: int = 100,
    tags: int = 50,
) -> Seeded:
    started = time.perf_counter()
    counts = {
        "users": users, "projects": projects, "tags": tags, "tasks": tasks, "workspace": workspace,
    }  # fmt: skip
    with contextlib.closing(_connect(make_url(url))) as connection, connection.cursor() as cursor:
        cursor.execute(SEED, counts)
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM task_tag")
        row = cursor.fetchone()
    links = int(row[0]) if row else 0
    return Seeded(users, projects, tags, tasks, links, time.perf_counter() - started)


def create_key(url: str, hash_key: bytes, *, workspace: int, role: str = "admin") -> str:
    """A new API key of ``role`` in ``workspace``, hashed under ``hash_key`` (the service's
    ``KEY_HASH_SECRET``); its secret, to send as a bearer token.

    Inserted as the service would write it: in a transaction begun in the workspace as
    the runtime role (``isolation.entering``), so that the row passes row-level security.
    """
    issued = new_secret(hash_key)
    with contextlib.closing(_connect(make_url(url))) as connection:
        connection.autocommit = False
        with connection, connection.cursor() as cursor:
            cursor.execute(isolation.entering(workspace))
            cursor.execute(
                "INSERT INTO api_key (workspace_id, name, role, prefix, key_hash, created_at)"
                " VALUES (%s, %s, %s, %s, %s, now())",
                (workspace, f"bench {role}", role, issued.prefix, issued.key_hash),
            )
    return issued.secret


def count_tasks(url: str) -> int:
    with contextlib.closing(_connect(make_url(url))) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM task")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def free_connections(url: str) -> int:
    """Connections the server can still accept (``max_connections`` less those in use)."""
    with contextlib.closing(_connect(make_url(url))) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def server_version(url: str) -> str:
    with contextlib.closing(_connect(make_url(url))) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return str(row[0]) if row else "?"
