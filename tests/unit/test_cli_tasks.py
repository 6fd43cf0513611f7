"""The ``taskhex tasks`` commands on the real container with in-memory adapters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from dependency_injector import providers
from typer.testing import CliRunner, Result

from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.task_stream import InMemoryTaskStream
from interfaces.cli.main import app as taskhex
from interfaces.container import Container
from tests.support.clock import FakeClock

Invoke = Callable[..., Result]


@pytest.fixture
def cli(services: Container, store: InMemoryStore) -> Invoke:
    services.task_stream.override(providers.Object(InMemoryTaskStream(store)))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(taskhex, list(args), obj=lambda: services)

    return invoke


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def add(cli: Invoke, *args: str) -> dict[str, Any]:
    task: dict[str, Any] = ok_json(cli("tasks", "add", *args, "--json"))
    return task


def failed(result: Result, code: int) -> str:
    """The one line a failure prints on stderr."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_adding_a_task_prints_it_in_the_apis_shape(cli: Invoke, clock: FakeClock) -> None:
    task = add(cli, " Write the report ", "--tag", "Docs", "--tag", "q4", "--due", "2026-12-01")
    assert task == {
        "id": task["id"],
        "title": "Write the report",
        "description": None,
        "status": "todo",
        "priority": "medium",
        "due_date": "2026-12-01",
        "project_id": None,
        "assignee_id": None,
        "tags": ["docs", "q4"],
        "created_at": "2026-11-24T17:05:00Z",
        "updated_at": "2026-11-24T17:05:00Z",
        "completed_at": None,
        "version": 1,
    }


def test_a_task_is_shown_as_a_table_by_default_without_reading_markup(cli: Invoke) -> None:
    task = add(cli, "Ship [bold]it[/bold]", "--priority", "high")
    result = cli("tasks", "show", str(task["id"]))
    assert result.exit_code == 0
    assert "Ship [bold]it[/bold]" in result.stdout
    assert "high" in result.stdout


def test_listing_filters_sorts_and_pages_like_the_api(cli: Invoke, clock: FakeClock) -> None:
    for title, priority in (("a", "low"), ("b", "high"), ("c", "high"), ("d", "medium")):
        add(cli, title, "--priority", priority)
        clock.advance(seconds=1)
    page = ok_json(cli("tasks", "list", "--priority", "high", "--priority", "low", "--json"))
    assert [t["title"] for t in page["items"]] == ["c", "b", "a"]
    assert page["total"] == 3
    page = ok_json(cli("tasks", "list", "--sort", "priority", "--limit", "2", "--json"))
    assert [t["title"] for t in page["items"]] == ["a", "d"]
    page = ok_json(cli("tasks", "list", "--sort", "title", "--offset", "3", "--json"))
    assert [t["title"] for t in page["items"]] == ["d"]


def test_a_cursor_from_one_page_leads_to_the_next(cli: Invoke, clock: FakeClock) -> None:
    for title in "abc":
        add(cli, title)
        clock.advance(seconds=1)
    first = ok_json(cli("tasks", "list", "--sort", "title", "--limit", "2", "--json"))
    assert first["next_cursor"]
    second = ok_json(
        cli("tasks", "list", "--sort", "title", "--cursor", first["next_cursor"], "--json")
    )
    assert [t["title"] for t in second["items"]] == ["c"]
    assert second["total"] is None


def test_the_list_table_says_where_the_next_page_starts(cli: Invoke) -> None:
    for title in "abc":
        add(cli, title)
    result = cli("tasks", "list", "--limit", "2")
    assert result.exit_code == 0
    assert "tasks 1-2 of 3; next page: --offset 2" in result.stdout


def test_updating_changes_only_the_fields_given(cli: Invoke, clock: FakeClock) -> None:
    task = add(cli, "x", "--description", "keep me", "--tag", "a", "--due", "2026-12-01")
    clock.advance(seconds=1)
    changed = ok_json(
        cli("tasks", "update", str(task["id"]), "--title", "y", "--clear-due", "--json")
    )
    assert changed["title"] == "y"
    assert changed["description"] == "keep me"
    assert changed["tags"] == ["a"]
    assert changed["due_date"] is None
    assert changed["version"] == 2
    cleared = ok_json(
        cli("tasks", "update", str(task["id"]), "--clear-tags", "--clear-description", "--json")
    )
    assert cleared["tags"] == []
    assert cleared["description"] is None


def test_done_stamps_completed_at(cli: Invoke, clock: FakeClock) -> None:
    task = add(cli, "x")
    clock.advance(minutes=5)
    finished = ok_json(cli("tasks", "done", str(task["id"]), "--json"))
    assert finished["status"] == "done"
    assert finished["completed_at"] == "2026-11-24T17:10:00Z"


def test_a_version_that_moved_on_is_a_conflict_and_changes_nothing(cli: Invoke) -> None:
    task = add(cli, "x")
    line = failed(cli("tasks", "done", str(task["id"]), "--if-version", "7"), 4)
    assert "version 1" in line
    assert ok_json(cli("tasks", "show", str(task["id"]), "--json"))["status"] == "todo"


def test_deleting_removes_the_task(cli: Invoke) -> None:
    task = add(cli, "x")
    assert ok_json(cli("tasks", "delete", str(task["id"]), "--json")) == {"deleted": task["id"]}
    assert failed(cli("tasks", "delete", str(task["id"])), 3) == (
        f"error: task {task['id']} does not exist"
    )


def test_stats_count_like_the_api(cli: Invoke) -> None:
    add(cli, "a", "--status", "done", "--tag", "x")
    add(cli, "b", "--tag", "x")
    add(cli, "c")
    assert ok_json(cli("tasks", "stats", "--tag", "x", "--json")) == {
        "total": 2,
        "by_status": {"todo": 1, "in_progress": 0, "done": 1},
        "by_priority": {"low": 0, "medium": 2, "high": 0},
        "overdue": 0,
        "completion_rate": 0.5,
    }
    table = cli("tasks", "stats")
    assert "completion rate" in table.stdout
    assert "33.33%" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("tasks", "show", "42"), 3, "task 42 does not exist"),
        (("tasks", "add", "   "), 2, "invalid input: title: must not be empty"),
        (("tasks", "add", "x", "--tag", "no spaces"), 2, "invalid input: tags"),
        (("tasks", "add", "x", "--project-id", "5"), 2, "project_id: project does not exist"),
        (("tasks", "add", "x", "--status", "nope"), 2, "Invalid value for '--status'"),
        (("tasks", "show", "0"), 2, "Invalid value for 'task_id'"),
        (("tasks", "list", "--sort", "bogus"), 2, "invalid input: sort: must be one of"),
        (("tasks", "list", "--limit", "101"), 2, "Invalid value for '--limit'"),
        (("tasks", "list", "--offset", "1", "--cursor", "x"), 2, "cannot be combined"),
        (("tasks", "list", "--cursor", "forged"), 2, "invalid input: cursor"),
        (("tasks", "update", "1"), 2, "give at least one field to change"),
        (("tasks", "update", "1", "--tag", "a", "--clear-tags"), 2, "exclude each other"),
        (
            (
                "tasks",
                "nope",
            ),
            2,
            "No such command 'nope'",
        ),
    ],
)
def test_each_class_of_error_is_one_line_on_stderr_with_its_exit_code(
    cli: Invoke, args: tuple[str, ...], code: int, says: str
) -> None:
    assert says in failed(cli(*args), code)


def test_an_unexpected_error_is_exit_code_1_and_names_its_class(
    cli: Invoke, services: Container
) -> None:
    def broken() -> None:
        raise RuntimeError("the disk is on fire")

    services.task_stats.override(providers.Callable(broken))
    line = failed(cli("tasks", "stats"), 1)
    assert line.startswith("error: unexpected RuntimeError: the disk is on fire")


class FakeEngine:
    def __init__(self) -> None:
        self.disposals = 0

    async def dispose(self) -> None:
        self.disposals += 1


def test_each_command_builds_one_container_and_disposes_it_even_on_failure(
    services: Container,
) -> None:
    engine = FakeEngine()
    services.engine.override(providers.Object(engine))
    built: list[Container] = []

    def factory() -> Container:
        built.append(services)
        return services

    assert CliRunner().invoke(taskhex, ["tasks", "add", "x"], obj=factory).exit_code == 0
    assert (built, engine.disposals) == ([services], 1)
    assert CliRunner().invoke(taskhex, ["tasks", "show", "99"], obj=factory).exit_code == 3
    assert (built, engine.disposals) == ([services, services], 2)


def test_with_no_command_the_cli_shows_its_commands(cli: Invoke) -> None:
    result = cli()
    for command in ("tasks", "db", "seed", "export", "import", "openapi", "serve"):
        assert command in result.output


def test_the_list_table_counts_a_cursor_page_and_says_when_a_page_is_empty(
    cli: Invoke, clock: FakeClock
) -> None:
    for title in "ab":
        add(cli, title)
        clock.advance(seconds=1)
    first = ok_json(cli("tasks", "list", "--limit", "1", "--json"))
    cursor_page = cli("tasks", "list", "--cursor", first["next_cursor"])
    assert "1 task(s)" in cursor_page.stdout
    beyond = cli("tasks", "list", "--offset", "5")
    assert "no tasks here (2 match)" in beyond.stdout


def test_ctrl_c_stops_a_command_with_exit_code_130(cli: Invoke, services: Container) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    services.task_stats.override(providers.Callable(interrupted))
    assert cli("tasks", "stats").exit_code == 130


def test_openapi_reports_a_schema_it_could_not_build(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.executable", "/bin/false")
    result = cli("openapi")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: could not build the schema: no output\n",
    )
