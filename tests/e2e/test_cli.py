"""The ``taskhex`` command as an operator runs it: a real process serving real HTTP."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
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


@contextlib.contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [TASKHEX, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health/live").status_code == 200:
                    break
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield base
    finally:
        # Ctrl-C rather than SIGTERM: uvicorn stops gracefully either way, but
        # re-raises SIGTERM afterwards, which ends the process before coverage
        # can save what the child ran; after SIGINT it exits normally.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def create_and_read(base: str) -> None:
    created = httpx.post(
        f"{base}/api/v1/tasks",
        content=b'{"title":"x"}',
        headers={"content-type": "application/json"},
    )
    assert created.status_code == 201
    assert httpx.get(f"{base}{created.headers['location']}").json()["title"] == "x"
    assert httpx.get(f"{base}/health/ready").json() == {"status": "ok", "database": "ok"}


def test_serve_on_the_default_sqlite_creates_its_schema_and_takes_a_task(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with serving(env, tmp_path) as base:
        create_and_read(base)
    assert (tmp_path / "taskhex.db").exists()


@pytest.mark.postgres
def test_db_upgrade_then_serve_on_postgresql(postgres_admin_url: str, tmp_path: Path) -> None:
    with fresh_database(postgres_admin_url, f"taskhex_cli_{uuid.uuid4().hex[:12]}") as url:
        env = {**os.environ, "DATABASE_URL": url}
        upgraded = subprocess.run(
            [TASKHEX, "db", "upgrade"], env=env, capture_output=True, text=True, check=False
        )
        assert upgraded.returncode == 0, upgraded.stderr
        assert "(head)" in upgraded.stdout
        with serving(env, tmp_path) as base:
            create_and_read(base)


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
