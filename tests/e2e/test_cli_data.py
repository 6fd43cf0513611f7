"""The CLI's data commands through Typer's runner, on real SQLite and PostgreSQL.

Each command builds its own container from the factory it is given, as the
installed command builds one from the environment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from interfaces.cli.main import app as taskhex
from interfaces.container import Container
from tests.support.databases import make_container

Invoke = Callable[..., Result]


@pytest.fixture
def cli(container: Container, database_url: str) -> Invoke:
    """The CLI on the emptied database of ``container``."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(taskhex, list(args), obj=lambda: make_container(database_url))

    return invoke


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def as_json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def count(cli: Invoke, *filters: str) -> int:
    total: int = as_json(cli("tasks", "stats", *filters, "--json"))["total"]
    return total


def test_a_task_goes_through_its_life_from_the_command_line(cli: Invoke) -> None:
    task = as_json(cli("tasks", "add", "Write", "--tag", "docs", "--due", "2026-12-01", "--json"))
    task_id = str(task["id"])
    assert as_json(cli("tasks", "show", task_id, "--json")) == task
    changed = as_json(cli("tasks", "update", task_id, "--priority", "high", "--json"))
    assert (changed["priority"], changed["version"]) == ("high", 2)
    finished = as_json(cli("tasks", "done", task_id, "--if-version", "2", "--json"))
    assert finished["completed_at"] is not None
    page = as_json(cli("tasks", "list", "--status", "done", "--tag", "docs", "--json"))
    assert [t["id"] for t in page["items"]] == [task["id"]]
    ok(cli("tasks", "delete", task_id))
    result = cli("tasks", "show", task_id)
    assert result.exit_code == 3
    assert result.stderr == f"error: task {task_id} does not exist\n"


def test_seeding_is_batched_and_reproducible(cli: Invoke) -> None:
    summary = as_json(
        cli("seed", "--tasks", "250", "--users", "2", "--projects", "2", "--seed", "9",
            "--batch-size", "100", "--json")
    )  # fmt: skip
    assert (summary["users"], summary["projects"], summary["tasks"]) == (2, 2, 250)
    assert count(cli) == 250
    first = as_json(cli("tasks", "list", "--sort", "title", "--limit", "100", "--json"))["items"]
    assert {t["project_id"] for t in first} - {None}


def export_lines(cli: Invoke, path: Path, *args: str) -> list[dict[str, Any]]:
    assert "exported" in ok(cli("export", str(path), "--quiet", *args)).stdout
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_export_writes_every_task_once_in_id_order_and_reads_back(
    cli: Invoke, tmp_path: Path
) -> None:
    ok(cli("seed", "--tasks", "120", "--seed", "1", "--quiet"))
    lines = export_lines(cli, tmp_path / "tasks.jsonl", "--batch-size", "50")
    assert len(lines) == 120
    assert [t["id"] for t in lines] == sorted(t["id"] for t in lines)
    page = as_json(cli("tasks", "list", "--sort", "-created_at", "--limit", "1", "--json"))
    assert page["items"][0] in lines
    done = export_lines(cli, tmp_path / "done.jsonl", "--status", "done")
    assert len(done) == count(cli, "--status", "done")
    assert not (tmp_path / "tasks.jsonl.partial").exists()


def test_an_export_to_standard_output_is_only_the_lines(cli: Invoke) -> None:
    ok(cli("tasks", "add", "only one", "--tag", "x"))
    result = ok(cli("export", "--quiet"))
    [line] = result.stdout.splitlines()
    assert json.loads(line)["tags"] == ["x"]


def test_an_import_round_trips_an_export(cli: Invoke, tmp_path: Path) -> None:
    ok(cli("seed", "--tasks", "60", "--seed", "2", "--quiet"))
    exported = export_lines(cli, tmp_path / "tasks.jsonl")
    result = ok(cli("import", str(tmp_path / "tasks.jsonl"), "--batch-size", "25", "--quiet"))
    assert "imported 60 task(s)" in result.stdout
    again = export_lines(cli, tmp_path / "both.jsonl")
    content = ("title", "description", "status", "priority", "due_date", "tags")

    def strip(task: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(json.dumps(task[k]) for k in content)

    assert sorted(map(strip, again[60:])) == sorted(map(strip, exported))
    assert {t["id"] for t in again[60:]}.isdisjoint(t["id"] for t in exported)


def write_lines(path: Path, titles: list[str]) -> None:
    path.write_text("".join(json.dumps({"title": t}) + "\n" for t in titles))


def test_an_import_is_all_or_nothing_per_batch_and_resumes_after_the_last_commit(
    cli: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "tasks.jsonl"
    titles = [f"t{n}" for n in range(1, 13)]
    titles[6] = "   "  # line 7, in the second batch of 5
    write_lines(source, titles)
    failed = cli("import", str(source), "--batch-size", "5", "--quiet")
    assert failed.exit_code == 2
    assert failed.stderr.startswith("error: line 7: title: must not be empty; lines 6-10 were")
    assert count(cli) == 5

    refused = cli("import", str(source), "--batch-size", "5", "--quiet")
    assert refused.exit_code == 4
    assert "--resume" in refused.stderr
    assert count(cli) == 5

    titles[6] = "t7"
    write_lines(source, titles)
    resumed = ok(cli("import", str(source), "--batch-size", "5", "--resume", "--quiet", "--json"))
    assert json.loads(resumed.stdout) == {"imported": 7, "lines": 12, "total_imported": 12}
    listed = as_json(cli("tasks", "list", "--sort", "created_at", "--limit", "100", "--json"))
    assert sorted(t["title"] for t in listed["items"]) == sorted(titles)


def test_a_resume_refuses_a_file_whose_imported_part_changed(cli: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "tasks.jsonl"
    write_lines(source, ["a", "b", "  "])
    assert cli("import", str(source), "--batch-size", "2", "--quiet").exit_code == 2
    write_lines(source, ["A", "b", "c"])
    refused = cli("import", str(source), "--resume", "--quiet")
    assert refused.exit_code == 4
    assert "changed in lines 1-2" in refused.stderr
    assert count(cli) == 2


def test_an_unreadable_line_names_its_number_and_stores_nothing_of_its_batch(
    cli: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "tasks.jsonl"
    source.write_text('{"title": "a"}\n\n{"title": 5}\n{"title": "c", "colour": "red"}\n')
    result = cli("import", str(source), "--quiet")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: line 3: title: Input should be a valid string")
    assert count(cli) == 0


def test_an_import_checks_the_users_and_projects_its_tasks_name(
    cli: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "tasks.jsonl"
    source.write_text('{"title": "a"}\n{"title": "b", "assignee_id": 77}\n')
    result = cli("import", str(source), "--quiet")
    assert result.exit_code == 2
    assert "line 2: assignee_id: user does not exist" in result.stderr
    assert count(cli) == 0


def test_appending_to_an_imported_file_and_resuming_imports_only_the_new_lines(
    cli: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "tasks.jsonl"
    write_lines(source, ["a", "b"])
    ok(cli("import", str(source), "--quiet"))
    with source.open("a") as more:
        more.write(json.dumps({"title": "c"}) + "\n")
    result = ok(cli("import", str(source), "--resume", "--quiet"))
    assert "imported 1 task(s)" in result.stdout
    assert count(cli) == 3


def test_db_commands_use_the_direct_url_when_one_is_set(sqlite_url: str, tmp_path: Path) -> None:
    direct = f"sqlite:///{tmp_path / 'direct.db'}"
    runner = CliRunner()

    def factory() -> Container:
        return make_container(sqlite_url, database_direct_url=direct)

    assert runner.invoke(taskhex, ["db", "current"], obj=factory).stdout == "base\n"
    assert "(head)" in runner.invoke(taskhex, ["db", "upgrade"], obj=factory).stdout
    assert (tmp_path / "direct.db").exists()


def test_the_checkpoint_can_live_elsewhere_and_an_unreadable_one_is_refused(
    cli: Invoke, tmp_path: Path
) -> None:
    source, state = tmp_path / "tasks.jsonl", tmp_path / "state" / "import.json"
    state.parent.mkdir()
    write_lines(source, ["a"])
    ok(cli("import", str(source), "--state", str(state), "--quiet"))
    assert json.loads(state.read_text())["finished"] is True
    assert not (tmp_path / "tasks.jsonl.import-state.json").exists()
    state.write_text("{not json")
    refused = cli("import", str(source), "--state", str(state), "--resume", "--quiet")
    assert refused.exit_code == 2
    assert "is unreadable" in refused.stderr
    assert count(cli) == 1
