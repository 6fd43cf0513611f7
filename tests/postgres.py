"""Finding a PostgreSQL server for the tests, in the documented order.

1. ``TEST_DATABASE_URL`` (an admin URL; each run creates its own database there);
2. a testcontainers PostgreSQL, when a Docker engine answers;
3. a throwaway cluster started from local PostgreSQL binaries (as an
   unprivileged user when run as root, since PostgreSQL refuses root);
4. none: the PostgreSQL tests skip, and say why.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2


class NoPostgres(Exception):
    pass


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _testcontainer() -> Iterator[str]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver=None) as pg:
        yield pg.get_connection_url()


def _binaries() -> Path | None:
    candidates = []
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise NoPostgres("running as root and no unprivileged user to run PostgreSQL as")


@contextlib.contextmanager
def _local_cluster(bindir: Path) -> Iterator[str]:
    user = _unprivileged_user()
    root = Path(tempfile.mkdtemp(prefix="taskhex-pg-"))
    data = root / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=user, cwd=root, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-sync")  # fmt: skip
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[tuple[str, str]]:
    """Yield ``(admin_url, how_it_was_found)`` or raise ``NoPostgres``."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url, "TEST_DATABASE_URL"
        return
    if _docker_answers():
        with _testcontainer() as url:
            yield url, "testcontainers"
        return
    if (bindir := _binaries()) is not None:
        with _local_cluster(bindir) as url:
            yield url, f"throwaway cluster from {bindir}"
        return
    raise NoPostgres(
        "no PostgreSQL: set TEST_DATABASE_URL, start a Docker engine, or install PostgreSQL"
    )


def _admin(url: str) -> psycopg2.extensions.connection:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    connection = psycopg2.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password,
        dbname=u.database or "postgres",
    )  # fmt: skip
    connection.autocommit = True
    return connection


def wait_until_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _admin(url).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def fresh_database(admin_url: str, name: str) -> Iterator[str]:
    """Create database ``name`` (dropping a leftover), yield its URL, then drop it."""
    from sqlalchemy.engine import make_url

    wait_until_ready(admin_url)
    with contextlib.closing(_admin(admin_url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.closing(_admin(admin_url)) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
