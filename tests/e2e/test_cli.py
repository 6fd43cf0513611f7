"""The ``taskhex`` command as an operator runs it: a real process serving real HTTP."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from interfaces.cli.main import app
from tests.support.postgres import fresh_database

TASKHEX = str(Path(sys.executable).with_name("taskhex"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    output: list[str] = field(default_factory=list)
    """What the server printed so far, line by line (stdout and stderr)."""

    def printed_keys(self) -> list[str]:
        return [found[1] for line in self.output if (found := _USAGE.search(line))]


_USAGE = re.compile(r"^Authorization: Bearer (thx_\S+)$")


@contextlib.contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[Served]:
    port = free_port()
    process = subprocess.Popen(
        [TASKHEX, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}")
    assert process.stdout is not None
    # Read as it comes, so that the pipe never fills and what came first is there to look at.
    reader = threading.Thread(
        target=lambda: served.output.extend(line.rstrip("\n") for line in process.stdout or ()),
        daemon=True,
    )
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{served.base}/health/live").status_code == 200:
                    break
            assert process.poll() is None, "\n".join(served.output)
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield served
    finally:
        # Ctrl-C rather than SIGTERM: uvicorn stops gracefully either way, but
        # re-raises SIGTERM afterwards, which ends the process before coverage
        # can save what the child ran; after SIGINT it exits normally.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        reader.join(timeout=5)


def create_and_read(base: str, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    created = httpx.post(
        f"{base}/api/v1/tasks",
        content=b'{"title":"x"}',
        headers={"content-type": "application/json", **auth},
    )
    assert created.status_code == 201
    assert httpx.get(f"{base}{created.headers['location']}", headers=auth).json()["title"] == "x"
    assert httpx.get(f"{base}/health/ready").json() == {"status": "ok", "database": "ok"}


def test_serve_on_the_default_sqlite_creates_its_schema_and_takes_a_task(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with serving(env, tmp_path) as served:
        [key] = served.printed_keys()
        create_and_read(served.base, key)
    assert (tmp_path / "taskhex.db").exists()
    assert sum(key in line for line in served.output) == 1  # shown once, on its usage line


def test_serve_makes_a_first_key_on_sqlite_only_while_there_is_none(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}"}
    with serving(env, tmp_path) as served:
        [key] = served.printed_keys()
        keys = httpx.get(f"{served.base}/api/v1/keys", headers={"Authorization": f"Bearer {key}"})
        assert [(k["role"], k["name"]) for k in keys.json()["items"]] == [
            ("admin", "made by taskhex serve")
        ]
    with serving(env, tmp_path) as again:
        assert again.printed_keys() == []
        assert httpx.get(f"{again.base}/api/v1/tasks").status_code == 401


@pytest.mark.postgres
def test_db_upgrade_then_serve_on_postgresql(postgres_admin_url: str, tmp_path: Path) -> None:
    with fresh_database(postgres_admin_url, f"taskhex_cli_{uuid.uuid4().hex[:12]}") as url:
        env = {**os.environ, "DATABASE_URL": url}
        upgraded = subprocess.run(
            [TASKHEX, "db", "upgrade"], env=env, capture_output=True, text=True, check=False
        )
        assert upgraded.returncode == 0, upgraded.stderr
        assert "(head)" in upgraded.stdout
        made = subprocess.run(
            [TASKHEX, "keys", "create", "--role", "writer", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        with serving(env, tmp_path) as served:
            assert served.printed_keys() == []  # never on PostgreSQL
            create_and_read(served.base, json.loads(made.stdout)["secret"])


def test_db_commands_walk_the_schema_up_and_down(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert runner.invoke(app, ["db", "current"], env=env).output.strip() == "base"
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0
    assert "(head)" in result.output
    result = runner.invoke(app, ["db", "downgrade", "base"], env=env)
    assert result.exit_code == 0
    assert result.output.strip() == "database at base"
