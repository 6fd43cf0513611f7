"""A real PgBouncer in transaction mode, in front of the tests' PostgreSQL.

The tests start it themselves: a config of their own in a temporary folder, a
free port on 127.0.0.1, and, when run as root, an unprivileged user (PgBouncer
refuses root as PostgreSQL does). Debian's ``pgbouncer`` package puts the
binary in ``/usr/sbin``; without it ``NoPgBouncer`` says so and the tests skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from sqlalchemy.engine import make_url

from tests.support.postgres import (
    PortTaken,
    admin_connection,
    on_a_free_port,
    unprivileged_user,
)

_PLACES = ("/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer", "/usr/bin/pgbouncer")


class NoPgBouncer(Exception):
    pass


@dataclass(frozen=True)
class PgBouncer:
    port: int
    version: str
    log: Path

    def url_for(self, server_url: str) -> str:
        """The URL of the same database, user and password, through this PgBouncer."""
        return (
            make_url(server_url)
            .set(host="127.0.0.1", port=self.port)
            .render_as_string(hide_password=False)
        )


def binary() -> str | None:
    found = shutil.which("pgbouncer")
    return found or next((p for p in _PLACES if os.access(p, os.X_OK)), None)


@contextlib.contextmanager
def pgbouncer(server_url: str, *, pool_size: int = 20) -> Iterator[PgBouncer]:
    """Run a transaction-mode PgBouncer for every database of ``server_url``'s server."""
    executable = binary()
    if executable is None:
        raise NoPgBouncer("no pgbouncer binary (Debian: apt-get install pgbouncer)")
    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    server = make_url(server_url)
    user = unprivileged_user()
    root = Path(tempfile.mkdtemp(prefix="taskhex-pgbouncer-"))
    # Clients are trusted (loopback only); PgBouncer logs in to the server as the admin.
    login = f"user={server.username}" + (f" password={server.password}" if server.password else "")
    upstream = f"host={server.host} port={server.port or 5432} {login}"
    # A database name only this PgBouncer knows: what answers it on the port is this one.
    probe = f"taskhex_probe_{root.name.rsplit('-', 1)[-1]}"
    (root / "userlist.txt").write_text(f'"{server.username}" ""\n')
    log = root / "pgbouncer.log"
    running: list[subprocess.Popen[bytes]] = []

    def start(port: int) -> None:
        log.unlink(missing_ok=True)  # what it says is this attempt's alone
        (root / "pgbouncer.ini").write_text(
            f"""[databases]
{probe} = {upstream} dbname={server.database or "postgres"}
* = {upstream}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {root}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_login_retry = 1
query_wait_timeout = 15
ignore_startup_parameters = extra_float_digits
logfile = {log}
pidfile = {root}/pgbouncer.pid
"""
        )
        if user is not None:
            entry = pwd.getpwnam(user)
            for path in (root, *root.iterdir()):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        process = subprocess.Popen(
            [executable, str(root / "pgbouncer.ini")],
            user=user,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        running.append(process)
        probe_url = make_url(server_url).set(host="127.0.0.1", port=port, database=probe)
        _wait_until_serving(probe_url.render_as_string(hide_password=False), process, log)

    try:
        port = on_a_free_port(start, lambda: log.read_text() if log.exists() else "")
        yield PgBouncer(port=port, version=version, log=log)
    finally:
        for process in running:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_until_serving(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 20
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            # Bounded: whatever else may hold the port need not answer.
            with contextlib.closing(admin_connection(url, connect_timeout=2)) as connection:
                connection.cursor().execute("SELECT 1")
                return
        except psycopg2.OperationalError:
            if process.poll() is not None:
                said = log.read_text()[-2000:] if log.exists() else ""
                failure = PortTaken if "Address already in use" in said else RuntimeError
                raise failure(f"pgbouncer exited ({process.returncode}): {said}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
