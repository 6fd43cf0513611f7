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
from collections.abc import Callable, Iterator
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PortTaken(Exception):
    """The server could not bind its port: another process took it first."""


def on_a_free_port(start: Callable[[int], None], said: Callable[[], str], attempts: int = 5) -> int:
    """``start(port)`` on a free port, and on another if that one was taken; returns the port.

    A port from ``free_port`` is free only until the server binds it: another process (a
    second pytest-xdist worker starting its own server, say) may take it in between. A
    ``start`` that fails with "Address already in use" in what the server ``said`` (its log
    since it was last cleared) is tried again on a fresh port, up to ``attempts`` times.
    """
    attempt = 1
    while True:
        port = free_port()
        try:
            start(port)
            return port
        except (subprocess.CalledProcessError, PortTaken):
            if attempt == attempts or "Address already in use" not in said():
                raise
            attempt += 1


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def unprivileged_user() -> str | None:
    """Whom to run a server as: ``None`` unless root, which PostgreSQL and PgBouncer refuse."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise NoPostgres("running as root and no unprivileged user to run PostgreSQL as")


@contextlib.contextmanager
def _local_cluster(bindir: Path, *, tls_password: str | None = None) -> Iterator[tuple[str, Path]]:
    """A throwaway cluster and its folder; with ``tls_password``, TCP only over TLS with SCRAM."""
    user = unprivileged_user()
    root = Path(tempfile.mkdtemp(prefix="taskhex-pg-"))
    data = root / "data"
    entry = pwd.getpwnam(user) if user is not None else None
    if entry is not None:
        os.chown(root, entry.pw_uid, entry.pw_gid)

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=user, cwd=root, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-sync")  # fmt: skip
    # The folder is the cluster's own, and so is its socket (-k); the port is found at start.
    options = f"-k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    if tls_password is not None:
        _certificates(root)
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "hostssl all trusting 127.0.0.1/32 trust\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        )
        for path in (data / "pg_hba.conf", root / "server.key", root / "server.crt"):
            if entry is not None:
                os.chown(path, entry.pw_uid, entry.pw_gid)
        options += (
            f" -c ssl=on -c ssl_cert_file={root}/server.crt -c ssl_key_file={root}/server.key"
        )

    def start(port: int) -> None:
        (root / "log").unlink(missing_ok=True)  # what the server says is this attempt's alone
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", f"-p {port} {options}",
            "-l", str(root / "log"), "-w", "start")  # fmt: skip

    port = on_a_free_port(start, lambda: _read(root / "log"))
    try:
        if tls_password is None:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres", root
        else:
            local = psycopg2.connect(host=str(root), port=port, user="postgres", dbname="postgres")
            local.autocommit = True
            with contextlib.closing(local), local.cursor() as cursor:
                cursor.execute("ALTER ROLE postgres PASSWORD %s", (tls_password,))
                cursor.execute("CREATE ROLE trusting LOGIN SUPERUSER")
            yield f"postgresql://postgres:{tls_password}@localhost:{port}/postgres", root
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _certificates(folder: Path) -> None:
    """A CA (``ca.crt``) and a server certificate it signed, for localhost and 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise NoPostgres("no openssl to make test certificates with")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=folder, timeout=60)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=taskhex test CA")  # fmt: skip
    run("req", *curve, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (folder / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext")  # fmt: skip
    (folder / "server.key").chmod(0o600)


@contextlib.contextmanager
def tls_cluster(password: str) -> Iterator[tuple[str, Path]]:
    """A throwaway cluster that takes TCP only over TLS, as Neon does.

    Yields ``(url, ca_file)``: the URL logs in as ``postgres`` with ``password``
    (SCRAM, so libpq can bind the channel) at ``localhost``, which the server
    certificate names. The role ``trusting`` logs in without a password (no
    SCRAM, hence no channel binding).
    """
    bindir = _binaries()
    if bindir is None:
        raise NoPostgres("no local PostgreSQL binaries for a TLS cluster")
    with _local_cluster(bindir, tls_password=password) as (url, folder):
        yield url, folder / "ca.crt"


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
        with _local_cluster(bindir) as (url, _):
            yield url, f"throwaway cluster from {bindir}"
        return
    raise NoPostgres(
        "no PostgreSQL: set TEST_DATABASE_URL, start a Docker engine, or install PostgreSQL"
    )


def admin_connection(url: str, **options: object) -> psycopg2.extensions.connection:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    connection = psycopg2.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password,
        dbname=u.database or "postgres", **options,
    )  # fmt: skip
    connection.autocommit = True
    return connection


def wait_until_ready(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            admin_connection(url).close()
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
    with contextlib.closing(admin_connection(admin_url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with contextlib.closing(admin_connection(admin_url)) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_backends(admin_url: str, database: str) -> int:
    """Kill every client connection to ``database`` (as a crash or a failover would).

    Returns once they are all gone, with how many there were.
    """
    with contextlib.closing(admin_connection(admin_url)) as admin, admin.cursor() as cursor:
        # Materialized first: the planner may otherwise call pg_terminate_backend
        # before it filters, on every backend of the server.
        cursor.execute(
            "WITH victim AS MATERIALIZED ("
            "  SELECT pid FROM pg_stat_activity WHERE datname = %s"
            "  AND pid <> pg_backend_pid() AND backend_type = 'client backend')"
            " SELECT coalesce(array_agg(pid), '{}') FROM victim WHERE pg_terminate_backend(pid)",
            (database,),
        )
        row = cursor.fetchone()
        pids: list[int] = row[0] if row else []
        deadline = time.monotonic() + 10
        while pids and time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,))
            left = cursor.fetchone()
            if not left or left[0] == 0:
                break
            time.sleep(0.005)
    return len(pids)
