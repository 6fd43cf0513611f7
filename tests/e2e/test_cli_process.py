"""``taskhex`` as an operator runs it: a process, its environment, its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interfaces.container import dispose
from tests.support.databases import empty_tables, make_container

TASKHEX = str(Path(sys.executable).with_name("taskhex"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment of a process on an emptied database."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    container = make_container(url)
    await empty_tables(container.engine())
    await dispose(container)
    return {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}


def taskhex(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TASKHEX, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_installed_command_adds_lists_and_reports_a_missing_task(env: dict[str, str]) -> None:
    added = taskhex(env, "tasks", "add", "from a shell", "--tag", "cli", "--json")
    assert added.returncode == 0, added.stderr
    task = json.loads(added.stdout)
    listed = taskhex(env, "tasks", "list", "--tag", "cli", "--json")
    assert [t["id"] for t in json.loads(listed.stdout)["items"]] == [task["id"]]
    missing = taskhex(env, "tasks", "show", str(task["id"] + 1))
    assert missing.returncode == 3
    assert missing.stderr == f"error: task {task['id'] + 1} does not exist\n"
    assert missing.stdout == ""


def test_seed_export_and_import_run_as_processes(env: dict[str, str], tmp_path: Path) -> None:
    seeded = taskhex(env, "seed", "--tasks", "300", "--seed", "4", "--batch-size", "128")
    assert seeded.returncode == 0, seeded.stderr
    assert "300 task(s)" in seeded.stdout
    assert "seeding tasks" in seeded.stderr  # the progress bar, on stderr
    exported = taskhex(env, "export", str(tmp_path / "out.jsonl"))
    assert exported.returncode == 0, exported.stderr
    imported = taskhex(env, "import", str(tmp_path / "out.jsonl"), "--json", "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == 300
    stats = json.loads(taskhex(env, "tasks", "stats", "--json").stdout)
    assert stats["total"] == 600


def test_invalid_settings_stop_the_command_with_exit_code_2_and_no_secret(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://app:s3cret-pw@127.0.0.1:1/taskhex",
        "DB_POOL_SIZE": "0",
    }
    result = taskhex(env, "tasks", "list")
    assert result.returncode == 2
    assert result.stderr.startswith("error: invalid configuration: DB_POOL_SIZE:")
    assert len(result.stderr.splitlines()) == 1
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_an_unreachable_database_is_exit_code_5_and_no_secret(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://app:s3cret-pw@127.0.0.1:1/taskhex",
        "DB_CONNECT_ATTEMPTS": "1",
        "DB_CONNECT_TIMEOUT": "2",
        "LOG_LEVEL": "WARNING",
    }
    result = taskhex(env, "tasks", "list")
    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("error: cannot reach the database:")
    assert len(result.stderr.splitlines()) == 1
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_json_logging_makes_every_log_line_a_json_object(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'log.db'}",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    result = taskhex(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(line["logger"].startswith("alembic") for line in lines)
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines)


def test_importing_the_whole_cli_loads_none_of_the_http_adapter() -> None:
    """No module of ours on the HTTP side is loaded by the CLI.

    (FastAPI itself is: dependency-injector's wiring imports it whenever it is
    installed. That our own CLI code never imports it is the import-linter
    contract's to check.)
    """
    probe = (
        "import sys, interfaces.cli.main; "
        "print(sorted(m for m in sys.modules if m.startswith('interfaces.api')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_with_db_echo_the_sql_goes_to_stderr_and_the_json_stays_alone_on_stdout(
    env: dict[str, str],
) -> None:
    echoing = {**env, "DB_ECHO": "true", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
    added = taskhex(echoing, "tasks", "add", "echoed", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["title"] == "echoed"
    logged = [json.loads(line) for line in added.stderr.splitlines()]
    assert any("INSERT INTO task" in line["event"] for line in logged)
