"""The ``taskhex`` command as an operator runs it: a real process serving real HTTP."""

import json
import os
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from interfaces.cli.main import app
from tests.support.postgres import fresh_database
from tests.support.processes import TASKHEX, serving


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
